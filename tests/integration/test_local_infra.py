"""The process stack: real tansu, SeaweedFS and PostgreSQL, started and stopped for real."""

import asyncio
import contextlib
import io
import os
import signal
import socket
import sys
import uuid
from pathlib import Path

import asyncpg
import psutil
import pytest
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer
from aiokafka.admin import AIOKafkaAdminClient, NewTopic
from minio import Minio

from stack.infra import (
    STATE_FILE,
    InfraEndpoints,
    RunningInfra,
    load_infra,
    start_process_infra,
)

pytestmark = pytest.mark.integration
REPO_ROOT = Path(__file__).resolve().parents[2]


async def test_two_stacks_serve_kafka_s3_and_postgres_then_stop_clean(tmp_path: Path) -> None:
    first = await asyncio.to_thread(
        start_process_infra, tmp_path / "first", fast_unsafe_postgres=True
    )
    try:
        second = await asyncio.to_thread(
            start_process_infra, tmp_path / "second", fast_unsafe_postgres=True
        )
    except BaseException:
        await asyncio.to_thread(first.stop)
        raise
    try:
        assert not set(_ports(first.endpoints)) & set(_ports(second.endpoints))
        await asyncio.gather(_exercise(first.endpoints), _exercise(second.endpoints))
    finally:
        watched = _watched_pids(first) + _watched_pids(second)
        await asyncio.gather(asyncio.to_thread(first.stop), asyncio.to_thread(second.stop))
    _assert_stopped(watched, [first.endpoints, second.endpoints])


async def test_another_process_finds_and_stops_the_stack(tmp_path: Path) -> None:
    state_dir = tmp_path / "stack"
    infra = await asyncio.to_thread(start_process_infra, state_dir, fast_unsafe_postgres=True)
    try:
        found = load_infra(state_dir)
        assert found is not None
        assert found.endpoints == infra.endpoints
        assert [p.pid for p in found.processes] == [p.pid for p in infra.processes]
        assert found.is_running()
        watched = _watched_pids(found)
        # `make down` is another process: it knows the stack only through the state file.
        stopper = await asyncio.create_subprocess_exec(
            sys.executable,
            "-c",
            "import sys; from pathlib import Path; from stack.infra import stop_infra;"
            " stop_infra(Path(sys.argv[1]))",
            str(state_dir),
            cwd=REPO_ROOT,
        )
        assert await stopper.wait() == 0
    finally:
        await asyncio.to_thread(infra.stop)  # no-op when stop_infra did its job
    _assert_stopped(watched, [infra.endpoints])
    assert not (state_dir / STATE_FILE).exists()
    assert load_infra(state_dir) is None


async def test_restarts_over_killed_servers_and_keeps_the_database(tmp_path: Path) -> None:
    state_dir = tmp_path / "stack"
    infra = await asyncio.to_thread(start_process_infra, state_dir)
    try:
        conn = await asyncpg.connect(infra.endpoints.postgres_dsn)
        try:
            await conn.execute("CREATE TABLE survivor (name text)")
            await conn.execute("INSERT INTO survivor VALUES ('still here')")
        finally:
            await conn.close()
    finally:
        # A crash: the leaders die at once, infra.json and postmaster.pid stay behind.
        for process in infra.processes:
            os.kill(process.pid, signal.SIGKILL)
    await asyncio.to_thread(_wait_until_gone, [p.pid for p in infra.processes])
    assert (state_dir / STATE_FILE).exists()
    assert (state_dir / "pgdata" / "postmaster.pid").exists()
    # weed's socket files in /tmp survive a SIGKILL; the state file names them.
    crashed = load_infra(state_dir)
    assert crashed is not None
    assert crashed.sockets
    assert all(path.is_socket() for path in crashed.sockets)

    again = await asyncio.to_thread(start_process_infra, state_dir)
    # Starting over the crashed stack removed them (the new weed listens on other ports).
    assert not any(path.exists() for path in set(crashed.sockets) - set(again.sockets))
    try:
        conn = await asyncpg.connect(again.endpoints.postgres_dsn)
        try:
            assert await conn.fetchval("SELECT name FROM survivor") == "still here"
        finally:
            await conn.close()
        await _exercise(again.endpoints)
    finally:
        watched = _watched_pids(again)
        await asyncio.to_thread(again.stop)
    _assert_stopped(watched, [again.endpoints])


async def _exercise(endpoints: InfraEndpoints) -> None:
    await asyncio.gather(
        _kafka_round_trip(endpoints.kafka_bootstrap),
        asyncio.to_thread(_s3_round_trip, endpoints),
        _postgres_select_one(endpoints.postgres_dsn),
    )


async def _kafka_round_trip(bootstrap: str) -> None:
    topic = f"local-infra-{uuid.uuid4().hex}"
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap)
    await admin.start()
    try:
        await admin.create_topics([NewTopic(topic, num_partitions=1, replication_factor=1)])
    finally:
        await admin.close()
    producer = AIOKafkaProducer(bootstrap_servers=bootstrap)
    await producer.start()
    try:
        await producer.send_and_wait(topic, b"hello", key=b"import-1")
    finally:
        await producer.stop()
    consumer = AIOKafkaConsumer(
        topic,
        bootstrap_servers=bootstrap,
        group_id=f"test-{uuid.uuid4().hex}",
        auto_offset_reset="earliest",
        session_timeout_ms=2000,
        heartbeat_interval_ms=500,
    )
    await consumer.start()
    try:
        message = await asyncio.wait_for(consumer.getone(), timeout=30)
    finally:
        await consumer.stop()
    assert (message.key, message.value) == (b"import-1", b"hello")


def _s3_round_trip(endpoints: InfraEndpoints) -> None:
    client = Minio(
        endpoints.s3_endpoint,
        access_key=endpoints.s3_access_key,
        secret_key=endpoints.s3_secret_key,
        secure=False,
    )
    bucket = f"local-infra-{uuid.uuid4().hex[:12]}"
    client.make_bucket(bucket)
    body = b"cpf;nome\n123;Ana\n"
    client.put_object(bucket, "uploads/file.csv", io.BytesIO(body), length=len(body))
    response = client.get_object(bucket, "uploads/file.csv")
    try:
        assert response.read() == body
    finally:
        response.close()
        response.release_conn()


async def _postgres_select_one(dsn: str) -> None:
    assert dsn.startswith("postgresql://importer:importer@127.0.0.1:")
    conn = await asyncpg.connect(dsn)
    try:
        assert await conn.fetchval("select 1") == 1
    finally:
        await conn.close()


def _ports(endpoints: InfraEndpoints) -> list[int]:
    return [
        int(endpoints.kafka_bootstrap.rpartition(":")[2]),
        int(endpoints.s3_endpoint.rpartition(":")[2]),
        int(endpoints.postgres_dsn.rpartition(":")[2].split("/")[0]),
    ]


def _watched_pids(infra: RunningInfra) -> list[int]:
    """The server pids plus PostgreSQL's children (which run in sessions of their own)."""
    pids = [process.pid for process in infra.processes]
    for pid in list(pids):
        with contextlib.suppress(psutil.NoSuchProcess):
            pids.extend(child.pid for child in psutil.Process(pid).children(recursive=True))
    return pids


def _alive(pid: int) -> bool:
    try:
        status: str = psutil.Process(pid).status()
        return status != str(psutil.STATUS_ZOMBIE)
    except psutil.NoSuchProcess:
        return False


def _wait_until_gone(pids: list[int], timeout: float = 10) -> None:
    procs = []
    for pid in pids:
        with contextlib.suppress(psutil.NoSuchProcess):
            procs.append(psutil.Process(pid))
    psutil.wait_procs(procs, timeout=timeout)


def _assert_stopped(pids: list[int], endpoints: list[InfraEndpoints]) -> None:
    assert [pid for pid in pids if _alive(pid)] == []
    for ports in map(_ports, endpoints):
        for port in ports:
            with pytest.raises(ConnectionRefusedError):
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
