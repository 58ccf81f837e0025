"""Upload service assembly: settings, broker, publisher, resources, routes."""

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from fastapi import FastAPI
from faststream.kafka.prometheus import KafkaPrometheusMiddleware
from prometheus_client import REGISTRY, make_asgi_app

from services.upload.access_api import router as access_router
from services.upload.account_fields_api import router as account_fields_router
from services.upload.api import router
from services.upload.catalogue_api import router as catalogue_router
from services.upload.customers_api import router as customers_router
from services.upload.mapping_api import router as mapping_router
from services.upload.problems import add_problem_handlers
from services.upload.runtime import Runtime
from services.upload.settings import UploadSettings
from services.upload.template import router as template_router
from services.upload.wizard_api import router as wizard_router
from shared import topics
from shared.database import create_pool
from shared.event_catalogue import asyncapi_document
from shared.kafka import make_broker
from shared.logs import configure_logging
from shared.storage import make_client
from shared.tracing import instrument_broker, instrument_fastapi

settings = UploadSettings()
# Built once: the catalogue only changes with the code.
EVENT_CATALOGUE = asyncapi_document()
configure_logging("upload")
broker = make_broker(settings.kafka, client_id="upload")
broker.add_middleware(KafkaPrometheusMiddleware(registry=REGISTRY, app_name="upload"))
instrument_broker(broker, service="upload")
# Keyed by import id (see shared.kafka.import_key): one import's events stay in order.
file_accepted = broker.publisher(topics.topic(topics.FILE_ACCEPTED, settings.kafka))
subscription_retries = broker.publisher(topics.topic(topics.SUBSCRIPTION_RETRIES, settings.kafka))


@asynccontextmanager
async def lifespan(app: FastAPI) -> AsyncIterator[None]:
    """Open the pool and the broker for the life of the process."""
    pool = await create_pool(settings.database)
    await broker.start()
    app.state.runtime = Runtime(
        settings=settings,
        pool=pool,
        storage=make_client(settings.storage),
        file_accepted=file_accepted,
        subscription_retries=subscription_retries,
    )
    try:
        yield
    finally:
        await broker.stop()
        await pool.close()


app = FastAPI(
    title="Customer import",
    version="1.0",
    description="Upload a CSV of customers, start the import, follow it, download the error file.",
    lifespan=lifespan,
)
# Before the import routes: /v1/imports/template is not an import id.
app.include_router(template_router)
app.include_router(wizard_router)
app.include_router(router)
app.include_router(catalogue_router)
app.include_router(customers_router)
app.include_router(access_router)
app.include_router(mapping_router)
app.include_router(account_fields_router)
add_problem_handlers(app)
instrument_fastapi(app, service="upload")
app.mount("/metrics", make_asgi_app(REGISTRY))


@app.get("/healthz", include_in_schema=False)
async def health() -> dict[str, str]:
    """Liveness: the process answers."""
    return {"status": "ok"}


@app.get("/asyncapi.json", tags=["events"])
async def event_catalogue() -> dict[str, Any]:
    """The events other services can subscribe to (AsyncAPI 3.0), generated from the code."""
    return EVENT_CATALOGUE
