"""OpenTelemetry tracing of one import across every service, off unless configured.

Configured with the standard variables: tracing is on when OTEL_EXPORTER_OTLP_ENDPOINT (or
OTEL_EXPORTER_OTLP_TRACES_ENDPOINT) is set, or OTEL_TRACES_EXPORTER is `otlp` or `console`;
OTEL_SDK_DISABLED=true or OTEL_TRACES_EXPORTER=none turn it off. Spans go out over OTLP/HTTP
(protobuf); OTEL_SERVICE_NAME, OTEL_RESOURCE_ATTRIBUTES, OTEL_TRACES_SAMPLER and OTEL_BSP_* work
as the SDK documents them. Off, nothing of OpenTelemetry is imported and publishing adds nothing.

One trace per import: the HTTP request that starts it (FastAPI instrumentation), then every
service's handling of its messages, the trace context travelling in the Kafka headers
(W3C `traceparent`). faststream's KafkaTelemetryMiddleware carries it through faststream's
publishers and subscribers; `publish_many` writes record batches itself and adds the headers
from `trace_headers()`; a batch subscriber's own span starts a new trace linked to the
messages (faststream's choice), so `ContinueBatchTrace` carries on the import's trace inside it.
"""

import logging
import os
from typing import TYPE_CHECKING, Any

from faststream import BaseMiddleware
from faststream.kafka import KafkaBroker
from faststream.message import StreamMessage

from shared.logs import mask_personal_data

if TYPE_CHECKING:
    from collections.abc import Sequence

    from fastapi import FastAPI
    from opentelemetry.sdk.trace import ReadableSpan, TracerProvider
    from opentelemetry.sdk.trace.export import SpanExporter

logger = logging.getLogger(__name__)

_provider: "TracerProvider | None" = None
_NO_HEADERS: tuple[tuple[str, bytes], ...] = ()


def tracing_configured() -> bool:
    """Whether the environment asks for traces (the standard OTEL_* variables)."""
    if os.environ.get("OTEL_SDK_DISABLED", "").strip().lower() == "true":
        return False
    exporter = os.environ.get("OTEL_TRACES_EXPORTER", "").strip().lower()
    if exporter == "none":
        return False
    endpoint = os.environ.get("OTEL_EXPORTER_OTLP_ENDPOINT") or os.environ.get(
        "OTEL_EXPORTER_OTLP_TRACES_ENDPOINT"
    )
    return bool(endpoint) or exporter in {"otlp", "console"}


def setup_tracing(service: str) -> "TracerProvider | None":
    """The process's tracer provider, created once when tracing is configured, else None."""
    global _provider
    if _provider is not None or not tracing_configured():
        return _provider
    from opentelemetry import trace
    from opentelemetry.sdk.resources import SERVICE_NAME, Resource
    from opentelemetry.sdk.trace import TracerProvider
    from opentelemetry.sdk.trace.export import BatchSpanProcessor

    # OTEL_SERVICE_NAME, when set, names the service; otherwise the service's own name.
    attributes = {} if os.environ.get("OTEL_SERVICE_NAME") else {SERVICE_NAME: service}
    provider = TracerProvider(resource=Resource.create(attributes))
    provider.add_span_processor(BatchSpanProcessor(_masking(_exporter())))
    trace.set_tracer_provider(provider)
    _provider = provider
    logger.info("tracing on: spans of %s exported", service)
    return provider


def instrument_broker(broker: KafkaBroker, *, service: str) -> None:
    """Trace the broker's publishers and subscribers, if tracing is configured."""
    provider = setup_tracing(service)
    if provider is None:
        return
    from faststream.kafka.opentelemetry import KafkaTelemetryMiddleware

    # Outermost, so that one span covers a message's retries and its dead-lettering; the
    # batch continuation runs inside faststream's span.
    broker.insert_middleware(ContinueBatchTrace)
    broker.insert_middleware(KafkaTelemetryMiddleware(tracer_provider=provider))


def instrument_fastapi(app: "FastAPI", *, service: str) -> None:
    """Trace the app's HTTP requests (not health checks or scrapes), if tracing is configured."""
    provider = setup_tracing(service)
    if provider is None:
        return
    from opentelemetry.instrumentation.fastapi import FastAPIInstrumentor

    FastAPIInstrumentor.instrument_app(
        app,
        tracer_provider=provider,
        excluded_urls="/healthz,/metrics",
        # The body's receive/send spans add nothing to a trace but volume (1 GB uploads).
        exclude_spans=["receive", "send"],
    )


def trace_headers() -> tuple[tuple[str, bytes], ...]:
    """The current trace context as Kafka headers (`traceparent`), none when tracing is off."""
    if _provider is None:
        return _NO_HEADERS
    from opentelemetry.propagate import inject

    carrier: dict[str, str] = {}
    inject(carrier)
    return tuple((name, value.encode()) for name, value in carrier.items())


class ContinueBatchTrace(BaseMiddleware):
    """Carries one import's trace on through a batch subscriber (every record of one trace).

    For a batch, faststream's span starts a new trace with links to the messages: what the
    handler then does (its database work, its publishes) would leave the import's trace. When
    every record of the batch belongs to one trace, a span in it, child of the first record's
    context, is made current for the handler. A batch mixing traces keeps faststream's links.
    """

    async def consume_scope(self, call_next: Any, msg: StreamMessage[Any]) -> Any:
        """Run the handler in a span of the batch's trace, when it has exactly one."""
        batch_headers = getattr(msg, "batch_headers", None)
        if _provider is None or not batch_headers:
            return await call_next(msg)
        from opentelemetry import trace
        from opentelemetry.propagate import extract
        from opentelemetry.trace import Link, SpanKind

        contexts = [extract(headers) for headers in batch_headers]
        spans = [trace.get_current_span(context).get_span_context() for context in contexts]
        traces = {span.trace_id for span in spans if span.is_valid}
        if len(traces) != 1 or not all(span.is_valid for span in spans):
            return await call_next(msg)
        tracer = _provider.get_tracer(__name__)
        links = [Link(span) for span in {span.span_id: span for span in spans}.values()]
        topic = getattr(msg.raw_message[0], "topic", "batch") if msg.raw_message else "batch"
        with tracer.start_as_current_span(
            f"{topic} process batch",
            context=contexts[0],
            kind=SpanKind.CONSUMER,
            links=links[:128],
            attributes={"messaging.batch.message_count": len(batch_headers)},
        ):
            return await call_next(msg)


def _exporter() -> "SpanExporter":
    if os.environ.get("OTEL_TRACES_EXPORTER", "").strip().lower() == "console":
        from opentelemetry.sdk.trace.export import ConsoleSpanExporter

        return ConsoleSpanExporter()
    protocol = os.environ.get("OTEL_EXPORTER_OTLP_TRACES_PROTOCOL") or os.environ.get(
        "OTEL_EXPORTER_OTLP_PROTOCOL", "http/protobuf"
    )
    if protocol != "http/protobuf":
        logger.warning("OTLP protocol %s is not installed: spans go out as http/protobuf", protocol)
    from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter

    return OTLPSpanExporter()


def _masking(inner: "SpanExporter") -> "SpanExporter":
    """An exporter that masks personal data a span may quote (errors, exception events)."""
    from opentelemetry.sdk.trace.export import SpanExporter, SpanExportResult

    class MaskingExporter(SpanExporter):
        def export(self, spans: "Sequence[ReadableSpan]") -> SpanExportResult:
            return inner.export([_masked(span) for span in spans])

        def shutdown(self) -> None:
            inner.shutdown()

        def force_flush(self, timeout_millis: int = 30000) -> bool:
            return inner.force_flush(timeout_millis)

    return MaskingExporter()


# Span attributes holding a request's URL: their query string (`?file_name=…`) can name a
# person, so it never leaves the process.
_URL_ATTRIBUTES = frozenset({"http.url", "http.target", "url.full"})
_QUERY_ATTRIBUTES = frozenset({"url.query", "http.query"})


def _masked(span: "ReadableSpan") -> "ReadableSpan":
    from opentelemetry.sdk.trace import Event, ReadableSpan
    from opentelemetry.trace import Status

    def mask(value: Any) -> Any:
        return mask_personal_data(value) if isinstance(value, str) else value

    attributes = {
        key: mask(value.partition("?")[0] if isinstance(value, str) else value)
        if key in _URL_ATTRIBUTES
        else mask(value)
        for key, value in (span.attributes or {}).items()
        if key not in _QUERY_ATTRIBUTES
    }

    events = tuple(
        Event(
            event.name,
            {key: mask(value) for key, value in (event.attributes or {}).items()},
            event.timestamp,
        )
        for event in span.events
    )
    status = span.status
    if status.description:
        status = Status(status.status_code, mask_personal_data(status.description))
    return ReadableSpan(
        name=span.name,
        context=span.context,
        parent=span.parent,
        resource=span.resource,
        attributes=attributes,
        events=events,
        links=span.links,
        kind=span.kind,
        status=status,
        start_time=span.start_time,
        end_time=span.end_time,
        instrumentation_scope=span.instrumentation_scope,
    )
