"""Aggregator assembly: settings, broker, database pool, object store, routes."""

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from faststream.asgi import AsgiFastStream, make_ping_asgi

from services.aggregator.handlers import build_router
from services.aggregator.settings import AggregatorSettings
from shared.database import create_pool
from shared.kafka import make_broker
from shared.storage import make_client

settings = AggregatorSettings()
broker = make_broker(settings.kafka, client_id="aggregator")


@asynccontextmanager
async def lifespan() -> AsyncIterator[None]:
    """Open the pool before subscribing, close it after the broker stops."""
    pool = await create_pool(settings.database)
    broker.include_router(build_router(settings, pool, make_client(settings.storage)))
    try:
        yield
    finally:
        await pool.close()


app = AsgiFastStream(
    broker, lifespan=lifespan, asgi_routes=[("/healthz", make_ping_asgi(broker, timeout=5.0))]
)
