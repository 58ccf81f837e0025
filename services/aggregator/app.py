"""Aggregator assembly: settings, broker, database pool, object store, routes."""

from services.aggregator.handlers import build_router
from services.aggregator.settings import AggregatorSettings
from shared.kafka import make_broker
from shared.storage import make_client
from shared.worker_app import with_database, worker_app

settings = AggregatorSettings()
broker = make_broker(settings.kafka, client_id="aggregator")
storage = make_client(settings.storage)
app = worker_app(
    broker,
    service="aggregator",
    lifespan=with_database(
        broker, settings.database, lambda pool: build_router(settings, pool, storage)
    ),
)
