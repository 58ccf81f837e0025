"""Start, watch and stop local servers as plain OS processes.

Every process runs in its own session, so it outlives the Python process that started it
(`make up` returns while the servers keep running), and writes stdout and stderr to
`<log_dir>/<name>.log`. Stopping goes by pid, never by process name, so two stacks (or a
developer's own servers) on the same machine are never touched.
"""

from __future__ import annotations

import os
import pwd
import signal
import socket
import subprocess
import time
from collections import deque
from collections.abc import Iterable, Mapping, Sequence
from contextlib import ExitStack, suppress
from dataclasses import dataclass
from pathlib import Path

import psutil

LOG_TAIL_LINES = 40
_POLL_INTERVAL = 0.05
_KILL_GRACE = 5.0
# psutil derives start times from boot time + clock ticks, so the same process always reads the
# same value; anything further off is another process that got the pid after ours died.
_START_TIME_TOLERANCE = 0.1


class ProcessStartError(RuntimeError):
    """A managed process died, or did not answer in time, while it was starting."""


class ProcessStopError(RuntimeError):
    """A managed process survived SIGKILL."""


@dataclass(frozen=True)
class ManagedProcess:
    """A process started by `spawn`: its name, pid and log file."""

    name: str
    pid: int
    log: Path  # stdout and stderr of the process
    # Start time of the process (psutil create_time); tells it apart from a later process
    # that happens to reuse the pid, e.g. after a reboot left a stale state file behind.
    started_at: float | None = None


# Popen handles of the processes this interpreter started. Polling them collects the exit
# status, so a stopped server does not linger as a zombie while the parent keeps running.
_children: dict[int, subprocess.Popen[bytes]] = {}


def spawn(
    name: str,
    argv: Sequence[str],
    *,
    env: Mapping[str, str] | None,
    log_dir: Path,
    cwd: Path | None = None,
    user: str | None = None,
) -> ManagedProcess:
    """Start `argv` in a new session with output to `log_dir/<name>.log`.

    `env` is laid over the current environment (None inherits it unchanged); `user` runs the
    process as that system user and needs root.
    """
    log_dir.mkdir(parents=True, exist_ok=True)
    log_path = log_dir / f"{name}.log"
    full_env = None if env is None else {**os.environ, **env}
    group = pwd.getpwnam(user).pw_gid if user is not None else None
    with log_path.open("wb") as log:
        popen = subprocess.Popen(
            list(argv),
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=subprocess.STDOUT,
            env=full_env,
            cwd=cwd,
            start_new_session=True,
            user=user,
            group=group,
            # Drop root's supplementary groups along with its uid.
            extra_groups=[] if user is not None else None,
        )
    _children[popen.pid] = popen
    return ManagedProcess(name=name, pid=popen.pid, log=log_path, started_at=_start_time(popen.pid))


def is_running(process: ManagedProcess) -> bool:
    """True while the process is alive (not a zombie) and its pid was not reused."""
    popen = _children.get(process.pid)
    if popen is not None:
        if popen.poll() is None:
            return True
        _children.pop(process.pid, None)
        return False
    try:
        proc = psutil.Process(process.pid)
        if proc.status() == psutil.STATUS_ZOMBIE:
            return False
        started_at = float(proc.create_time())
    except psutil.NoSuchProcess:
        return False
    return (
        process.started_at is None or abs(started_at - process.started_at) <= _START_TIME_TOLERANCE
    )


def terminate(
    pids: Iterable[int],
    *,
    timeout: float = 15,
    signals: Mapping[int, signal.Signals] | None = None,
) -> None:
    """Signal each process group (SIGTERM unless `signals` names another), wait, then SIGKILL.

    Pids that are already gone are fine. Descendants that left the group (PostgreSQL
    backends call setsid) are waited for and killed too.
    """
    targets = list(dict.fromkeys(pids))
    watched: list[psutil.Process] = []
    for pid in targets:
        with suppress(psutil.NoSuchProcess):
            leader = psutil.Process(pid)
            watched.append(leader)
            watched.extend(leader.children(recursive=True))
    overrides = signals or {}
    for pid in targets:
        _signal_group(pid, overrides.get(pid, signal.SIGTERM))
    left = _wait_gone(watched, timeout)
    if not left:
        return
    for pid in targets:
        _signal_group(pid, signal.SIGKILL)
    for proc in left:
        with suppress(psutil.NoSuchProcess):
            proc.kill()
    still_there = _wait_gone(left, _KILL_GRACE)
    if still_there:
        raise ProcessStopError(f"processes survived SIGKILL: {[p.pid for p in still_there]}")


def wait_for_port(
    host: str, port: int, *, timeout: float, process: ManagedProcess | None = None
) -> None:
    """Wait until a TCP connection to host:port succeeds; fail early if `process` dies."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            with socket.create_connection((host, port), timeout=0.5):
                return
        except OSError as err:
            last_error = err
        if process is not None and not is_running(process):
            raise ProcessStartError(
                f"{process.name} (pid {process.pid}) exited before {host}:{port} answered\n"
                + describe_log(process)
            )
        if time.monotonic() >= deadline:
            message = f"{host}:{port} refused connections for {timeout:.0f}s ({last_error})"
            if process is not None:
                message += "\n" + describe_log(process)
            raise ProcessStartError(message)
        time.sleep(_POLL_INTERVAL)


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    return free_ports(1)[0]


def free_ports(count: int) -> list[int]:
    """`count` distinct free TCP ports on 127.0.0.1 (all held open while choosing)."""
    with ExitStack() as held:
        return [_hold_port(held, 0) for _ in range(count)]


def free_port_pairs(count: int, offset: int) -> list[tuple[int, int]]:
    """`count` pairs of free TCP ports (p, p + offset) on 127.0.0.1, all distinct."""
    pairs: list[tuple[int, int]] = []
    with ExitStack() as held:
        for _ in range(count * 50):
            low = _hold_port(held, 0)
            if low + offset > 65535:
                continue
            try:
                high = _hold_port(held, low + offset)
            except OSError:
                continue
            pairs.append((low, high))
            if len(pairs) == count:
                return pairs
    raise OSError(f"found only {len(pairs)} of {count} free port pairs {offset} apart")


def port_is_free(port: int, host: str = "127.0.0.1") -> bool:
    """True if a server could listen on host:port now (TIME_WAIT leftovers do not count)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        # Servers set SO_REUSEADDR too, so connections in TIME_WAIT do not block them.
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind((host, port))
        except OSError:
            return False
    return True


def log_tail(path: Path, lines: int = LOG_TAIL_LINES) -> str:
    """The last `lines` lines of a log file ('' if it does not exist)."""
    try:
        with path.open(encoding="utf-8", errors="replace") as log:
            return "".join(deque(log, maxlen=lines))
    except FileNotFoundError:
        return ""


def describe_log(process: ManagedProcess) -> str:
    """A header plus the tail of the process log, for error messages."""
    return f"--- last {LOG_TAIL_LINES} lines of {process.log} ---\n" + log_tail(process.log)


def _hold_port(held: ExitStack, port: int) -> int:
    """Bind 127.0.0.1:port (0: any) until `held` closes; return the port."""
    sock = held.enter_context(socket.socket(socket.AF_INET, socket.SOCK_STREAM))
    sock.bind(("127.0.0.1", port))
    return int(sock.getsockname()[1])


def _start_time(pid: int) -> float | None:
    try:
        return float(psutil.Process(pid).create_time())
    except psutil.NoSuchProcess:
        return None


def _signal_group(pid: int, sig: signal.Signals) -> None:
    """Signal the process group led by `pid`, or the lone pid if it leads none."""
    try:
        os.killpg(pid, sig)
        return
    except ProcessLookupError:
        pass
    with suppress(ProcessLookupError):
        os.kill(pid, sig)


def _gone(proc: psutil.Process) -> bool:
    popen = _children.get(proc.pid)
    if popen is not None and popen.poll() is not None:
        _children.pop(proc.pid, None)
        return True
    try:
        # is_running() is False once the pid belongs to another process.
        return not proc.is_running() or proc.status() == psutil.STATUS_ZOMBIE
    except psutil.NoSuchProcess:
        return True


def _wait_gone(procs: Sequence[psutil.Process], timeout: float) -> list[psutil.Process]:
    """Wait until every process has exited; return those still running at the deadline."""
    deadline = time.monotonic() + timeout
    left = list(procs)
    while True:
        left = [proc for proc in left if not _gone(proc)]
        if not left or time.monotonic() >= deadline:
            return left
        time.sleep(_POLL_INTERVAL)
