"""A worker service as an ASGI app: /healthz, /metrics, and a pool opened before it subscribes."""

from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager

import asyncpg
from faststream.asgi import AsgiFastStream, make_ping_asgi
from faststream.kafka import KafkaBroker, KafkaRouter
from faststream.kafka.prometheus import KafkaPrometheusMiddleware
from prometheus_client import REGISTRY, make_asgi_app

from shared.consumer_lag import ConsumerLagMonitor, MessageWait
from shared.database import create_pool
from shared.logs import ImportContext, configure_logging
from shared.settings import DatabaseSettings
from shared.tracing import instrument_broker

Lifespan = Callable[[], AbstractAsyncContextManager[None]]


def worker_app(
    broker: KafkaBroker, *, service: str, lifespan: Lifespan | None = None
) -> AsgiFastStream:
    """The worker as an ASGI app: /healthz (the broker answers) and /metrics for Prometheus."""
    configure_logging(service)
    # Every log line written while a message is handled names the import it belongs to.
    broker.insert_middleware(ImportContext)
    # Spans of every message, in the trace of the request that started the import (if configured).
    instrument_broker(broker, service=service)
    # Per-message counts, sizes, durations and in-flight messages, labelled with the service.
    broker.add_middleware(KafkaPrometheusMiddleware(registry=REGISTRY, app_name=service))
    # Consumer lag per partition and how long messages waited (shared/consumer_lag.py).
    broker.add_middleware(MessageWait)
    lag = ConsumerLagMonitor(broker)
    return AsgiFastStream(
        broker,
        lifespan=lifespan,
        after_startup=[lag.start],
        on_shutdown=[lag.stop],
        asgi_routes=[
            ("/healthz", make_ping_asgi(broker, timeout=5.0)),
            ("/metrics", make_asgi_app(REGISTRY)),
        ],
    )


def with_database(
    broker: KafkaBroker, database: DatabaseSettings, routes: Callable[[asyncpg.Pool], KafkaRouter]
) -> Lifespan:
    """A lifespan that opens the pool, then subscribes the routes built on it; closes it last."""

    @asynccontextmanager
    async def lifespan() -> AsyncIterator[None]:
        pool = await create_pool(database)
        broker.include_router(routes(pool))
        try:
            yield
        finally:
            await pool.close()

    return lifespan
