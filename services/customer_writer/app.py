"""Customer writer assembly: settings, broker, database pool, routes."""

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from faststream.asgi import AsgiFastStream, make_ping_asgi

from services.customer_writer.handlers import build_router
from services.customer_writer.settings import WriterSettings
from shared.database import create_pool
from shared.kafka import make_broker

settings = WriterSettings()
broker = make_broker(settings.kafka, client_id="customer-writer")


@asynccontextmanager
async def lifespan() -> AsyncIterator[None]:
    """Open the pool before subscribing, close it after the broker stops."""
    pool = await create_pool(settings.database)
    broker.include_router(build_router(settings, pool))
    try:
        yield
    finally:
        await pool.close()


app = AsgiFastStream(
    broker, lifespan=lifespan, asgi_routes=[("/healthz", make_ping_asgi(broker, timeout=5.0))]
)
