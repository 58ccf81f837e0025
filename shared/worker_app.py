"""A worker service as an ASGI app: /healthz, and a pool opened before it subscribes."""

from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager

import asyncpg
from faststream.asgi import AsgiFastStream, make_ping_asgi
from faststream.kafka import KafkaBroker, KafkaRouter

from shared.database import create_pool
from shared.settings import DatabaseSettings

Lifespan = Callable[[], AbstractAsyncContextManager[None]]


def worker_app(broker: KafkaBroker, *, lifespan: Lifespan | None = None) -> AsgiFastStream:
    """The worker as an ASGI app with /healthz (the broker answers), as probes expect."""
    return AsgiFastStream(
        broker, lifespan=lifespan, asgi_routes=[("/healthz", make_ping_asgi(broker, timeout=5.0))]
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
