"""Run every service of the product as its own process, as a deployment would."""

import json
import sys
import time
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

import httpx

from stack.processes import ManagedProcess, free_port, is_running, spawn, terminate

# Every service is an ASGI app (the workers through AsgiFastStream) with /healthz.
SERVICE_APPS: dict[str, str] = {
    "upload": "services.upload.app:app",
    "validator": "services.validator.app:app",
    "customer-writer": "services.customer_writer.app:app",
    "subscription": "services.subscription.app:app",
    "aggregator": "services.aggregator.app:app",
}
# tansu makes a group join wait session_timeout/2: short timeouts keep start-up quick locally.
LOCAL_KAFKA_ENV = {
    "KAFKA_SESSION_TIMEOUT_MS": "2000",
    "KAFKA_HEARTBEAT_INTERVAL_MS": "500",
    # tansu answers a held fetch about a quarter of the wait after data arrives, and costs CPU
    # for every fetch it holds, busy or idle (each consumer polls once per wait). The 1M-row
    # bench: 100 ms -> 112 s end to end, broker 31 CPU-s; 300 ms -> 99 s, broker 21 CPU-s;
    # 500 ms -> 103 s. A small import waits a few tenths of a second more per hop.
    "KAFKA_FETCH_MAX_WAIT_MS": "300",
}
_STATE_FILE = "services.json"


@dataclass(frozen=True)
class ServiceProcess:
    """One running service: its process and the address of its HTTP endpoints."""

    service: str
    process: ManagedProcess
    url: str


@dataclass(frozen=True)
class RunningServices:
    """The service processes of one stack."""

    processes: tuple[ServiceProcess, ...]

    @property
    def api_url(self) -> str:
        """The HTTP API's address (the first upload service)."""
        return next(p.url for p in self.processes if p.service == "upload")

    def stop(self) -> None:
        """Stop every service process."""
        terminate([p.process.pid for p in self.processes])


def start_services(
    env: Mapping[str, str],
    *,
    state_dir: Path,
    api_port: int | None = None,
    replicas: Mapping[str, int] | None = None,
) -> RunningServices:
    """Start each service (and its replicas), waiting until every one answers /healthz."""
    started: list[ServiceProcess] = []
    try:
        for service in SERVICE_APPS:
            for replica in range((replicas or {}).get(service, 1)):
                label = service if replica == 0 else f"{service}-{replica + 1}"
                port = api_port if service == "upload" and replica == 0 else None
                started.append(
                    start_service(service, env, state_dir=state_dir, label=label, port=port)
                )
    except BaseException:
        terminate([p.process.pid for p in started])
        raise
    running = RunningServices(processes=tuple(started))
    state = {"api_url": running.api_url, "pids": [p.process.pid for p in started]}
    (state_dir / _STATE_FILE).write_text(json.dumps(state))
    return running


def start_service(
    service: str,
    env: Mapping[str, str],
    *,
    state_dir: Path,
    label: str | None = None,
    port: int | None = None,
    timeout: float = 60.0,
) -> ServiceProcess:
    """Start one service process and wait until it answers /healthz."""
    port = port or free_port()
    argv = [sys.executable, "-m", "uvicorn", SERVICE_APPS[service], "--host", "127.0.0.1"]
    argv += ["--port", str(port), "--no-access-log"]
    process = spawn(
        label or service, argv, env={**LOCAL_KAFKA_ENV, **env}, log_dir=state_dir / "logs"
    )
    url = f"http://127.0.0.1:{port}"
    try:
        _wait_healthy(process, url, timeout)
    except BaseException:
        terminate([process.pid])
        raise
    return ServiceProcess(service=service, process=process, url=url)


def stop_services(state_dir: Path) -> None:
    """Stop the services a previous `start_services` recorded in state_dir."""
    state = state_dir / _STATE_FILE
    if state.exists():
        terminate(json.loads(state.read_text())["pids"])
        state.unlink()


def _wait_healthy(process: ManagedProcess, url: str, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and is_running(process):
        try:
            if httpx.get(f"{url}/healthz", timeout=2).is_success:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.2)
    tail = "\n".join(process.log.read_text(errors="replace").splitlines()[-40:])
    raise RuntimeError(f"service {process.name} did not become healthy:\n{tail}")
