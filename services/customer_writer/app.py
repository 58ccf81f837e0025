"""Customer writer assembly: settings, broker, database pool, routes."""

from services.customer_writer.handlers import build_router
from services.customer_writer.settings import WriterSettings
from shared.kafka import make_broker
from shared.worker_app import with_database, worker_app

settings = WriterSettings()
broker = make_broker(settings.kafka, client_id="customer-writer")
app = worker_app(
    broker,
    service="customer-writer",
    lifespan=with_database(broker, settings.database, lambda pool: build_router(settings, pool)),
)
