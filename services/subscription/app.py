"""Subscription service assembly: settings, broker, database pool, routes."""

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from faststream.asgi import AsgiFastStream, make_ping_asgi

from services.subscription.handlers import build_router
from services.subscription.settings import SubscriptionSettings
from shared.database import create_pool
from shared.kafka import make_broker

settings = SubscriptionSettings()
broker = make_broker(settings.kafka, client_id="subscription")


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
