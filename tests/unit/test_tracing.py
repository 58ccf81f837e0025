"""Tracing is off unless configured, costs nothing then, and never exports personal data."""

import subprocess
import sys

import pytest
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter

from shared.tracing import _masking, trace_headers, tracing_configured


@pytest.mark.parametrize(
    ("env", "on"),
    [
        ({}, False),
        ({"OTEL_EXPORTER_OTLP_ENDPOINT": "http://collector:4318"}, True),
        ({"OTEL_EXPORTER_OTLP_TRACES_ENDPOINT": "http://collector:4318/v1/traces"}, True),
        ({"OTEL_TRACES_EXPORTER": "console"}, True),
        ({"OTEL_TRACES_EXPORTER": "otlp"}, True),
        ({"OTEL_EXPORTER_OTLP_ENDPOINT": "http://c:4318", "OTEL_SDK_DISABLED": "true"}, False),
        ({"OTEL_EXPORTER_OTLP_ENDPOINT": "http://c:4318", "OTEL_TRACES_EXPORTER": "none"}, False),
        # Metrics or logs alone are not a request for traces.
        ({"OTEL_SERVICE_NAME": "upload"}, False),
    ],
)
def test_tracing_is_on_only_when_the_environment_asks(
    monkeypatch: pytest.MonkeyPatch, env: dict[str, str], on: bool
) -> None:
    for name in (
        "OTEL_EXPORTER_OTLP_ENDPOINT",
        "OTEL_EXPORTER_OTLP_TRACES_ENDPOINT",
        "OTEL_TRACES_EXPORTER",
        "OTEL_SDK_DISABLED",
        "OTEL_SERVICE_NAME",
    ):
        monkeypatch.delenv(name, raising=False)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    assert tracing_configured() is on


def test_off_nothing_of_opentelemetry_is_loaded_and_publishing_adds_no_header() -> None:
    program = """
import sys
from faststream.kafka import KafkaBroker
from shared.kafka import make_broker
from shared.settings import KafkaSettings
from shared.tracing import instrument_broker, trace_headers
from shared.worker_app import worker_app
broker = make_broker(KafkaSettings(), client_id="test")
worker_app(broker, service="test")
instrument_broker(broker, service="test")
assert trace_headers() == (), trace_headers()
# faststream itself peeks at the tiny opentelemetry.semconv package when it is installed;
# the API, the SDK, exporters and instrumentations stay out.
loaded = sorted(
    name for name in sys.modules
    if name.startswith("opentelemetry") and not name.startswith("opentelemetry.semconv")
    and name != "opentelemetry"
)
assert not loaded, loaded
"""
    env = {"PATH": "/usr/bin:/bin"}
    result = subprocess.run(
        [sys.executable, "-c", program], env=env, capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stderr
    assert trace_headers() == ()


def test_exported_spans_never_quote_personal_data() -> None:
    exported = InMemorySpanExporter()
    provider = TracerProvider()
    provider.add_span_processor(SimpleSpanProcessor(_masking(exported)))
    tracer = provider.get_tracer("test")
    request = {
        "url.full": "http://api/v1/imports?file_name=clientes%20de%20Maria%20Silva.csv",
        "url.query": "file_name=clientes%20de%20Maria%20Silva.csv",
        "http.target": "/v1/imports?file_name=clientes%20de%20Maria%20Silva.csv",
        "messaging.message.conversation_id": "maria.silva@gmail.com",
    }
    with (
        pytest.raises(ValueError, match="duplicate key"),
        tracer.start_as_current_span("customer-created process", attributes=request),
    ):
        raise ValueError("duplicate key (email)=(maria.silva@gmail.com), CPF 390.533.447-05")
    (span,) = exported.get_finished_spans()
    quoted = [str(span.status.description)] + [
        str(value) for event in span.events for value in (event.attributes or {}).values()
    ]
    quoted += [str(value) for value in (span.attributes or {}).values()]
    assert any("ValueError" in text for text in quoted)
    for text in quoted:
        assert "maria.silva@gmail.com" not in text
        assert "390.533.447-05" not in text
        assert "Maria" not in text
    assert span.attributes is not None
    assert span.attributes["url.full"] == "http://api/v1/imports"
    assert span.attributes["http.target"] == "/v1/imports"
