"""Validator service assembly: settings, broker, routes."""

from faststream.asgi import AsgiFastStream, make_ping_asgi

from services.validator.handlers import build_router
from services.validator.settings import ValidatorSettings
from shared.kafka import make_broker
from shared.storage import make_client

settings = ValidatorSettings()
broker = make_broker(settings.kafka, client_id="validator")
broker.include_router(build_router(settings, make_client(settings.storage)))
app = AsgiFastStream(broker, asgi_routes=[("/healthz", make_ping_asgi(broker, timeout=5.0))])
