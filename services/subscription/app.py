"""Subscription service assembly: settings, broker, database pool, routes."""

from services.subscription.handlers import build_router
from services.subscription.settings import SubscriptionSettings
from shared.kafka import make_broker
from shared.worker_app import with_database, worker_app

settings = SubscriptionSettings()
broker = make_broker(settings.kafka, client_id="subscription")
app = worker_app(
    broker,
    service="subscription",
    lifespan=with_database(broker, settings.database, lambda pool: build_router(settings, pool)),
)
