"""Validator service assembly: settings, broker, routes."""

from services.validator.handlers import build_router
from services.validator.settings import ValidatorSettings
from shared.kafka import make_broker
from shared.storage import make_client
from shared.worker_app import worker_app

settings = ValidatorSettings()
broker = make_broker(settings.kafka, client_id="validator")
broker.include_router(build_router(settings, make_client(settings.storage)))
app = worker_app(broker, service="validator")
