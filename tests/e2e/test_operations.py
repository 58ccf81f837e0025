"""What operators get from a running product: one trace per import, logs, consumer lag.

The services run as processes with tracing configured only through the standard OTEL_*
variables, exporting over OTLP/HTTP to a receiver this test runs, as a collector would.
"""

import csv
import gzip
import io
import json
import threading
import time
import uuid
from collections.abc import AsyncIterator, Callable, Iterator
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import httpx
import pytest
from opentelemetry.proto.collector.trace.v1.trace_service_pb2 import (
    ExportTraceServiceRequest,
    ExportTraceServiceResponse,
)
from opentelemetry.proto.trace.v1.trace_pb2 import Span

from shared import topics
from shared.settings import KafkaSettings
from stack.infra import InfraEndpoints
from stack.processes import free_port
from stack.provision import create_topics
from stack.services import SERVICE_APPS, start_services
from tests.conftest import EXAMPLES
from tests.e2e.conftest import Product, create_plan, plan_choice, topic_records

pytestmark = pytest.mark.e2e

WORKERS = tuple(service for service in SERVICE_APPS if service != "upload")


@dataclass(frozen=True)
class ReceivedSpan:
    """One exported span, as a collector sees it."""

    service: str
    trace_id: str
    span_id: str
    parent_span_id: str
    name: str
    kind: int


class OtlpReceiver:
    """An OTLP/HTTP trace receiver (protobuf), keeping every span it is sent."""

    def __init__(self) -> None:
        self.spans: list[ReceivedSpan] = []
        lock = threading.Lock()
        spans = self.spans

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers["Content-Length"]))
                if self.headers.get("Content-Encoding") == "gzip":
                    body = gzip.decompress(body)
                request = ExportTraceServiceRequest.FromString(body)
                with lock:
                    for resource_spans in request.resource_spans:
                        service = next(
                            a.value.string_value
                            for a in resource_spans.resource.attributes
                            if a.key == "service.name"
                        )
                        for scope_spans in resource_spans.scope_spans:
                            spans.extend(
                                ReceivedSpan(
                                    service=service,
                                    trace_id=span.trace_id.hex(),
                                    span_id=span.span_id.hex(),
                                    parent_span_id=span.parent_span_id.hex(),
                                    name=span.name,
                                    kind=span.kind,
                                )
                                for span in scope_spans.spans
                            )
                answer = ExportTraceServiceResponse().SerializeToString()
                self.send_response(200)
                self.send_header("Content-Type", "application/x-protobuf")
                self.send_header("Content-Length", str(len(answer)))
                self.end_headers()
                self.wfile.write(answer)

            def log_message(self, format: str, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", free_port()), Handler)
        self.endpoint = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def stop(self) -> None:
        """Stop serving."""
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture(scope="module")
def receiver() -> Iterator[OtlpReceiver]:
    """The collector the services export their spans to."""
    running = OtlpReceiver()
    try:
        yield running
    finally:
        running.stop()


@pytest.fixture(scope="module")
async def traced_product(
    infra: InfraEndpoints, tmp_path_factory: pytest.TempPathFactory, receiver: OtlpReceiver
) -> AsyncIterator[Product]:
    """Every service as a process, tracing configured the standard way, topics of its own."""
    prefix = f"e2e-{uuid.uuid4().hex[:10]}."
    env = {
        **infra.as_env(),
        "KAFKA_TOPIC_PREFIX": prefix,
        "KAFKA_PARTITIONS": "4",
        "OTEL_EXPORTER_OTLP_ENDPOINT": receiver.endpoint,
        # Export within a fraction of a second, not the SDK's 5 s.
        "OTEL_BSP_SCHEDULE_DELAY": "200",
    }
    kafka = KafkaSettings(
        bootstrap_servers=infra.kafka_bootstrap, topic_prefix=prefix, partitions=4
    )
    await create_topics(kafka)
    state_dir = tmp_path_factory.mktemp("traced-services")
    services = start_services(env, state_dir=state_dir)
    try:
        yield Product(services=services, env=env, state_dir=state_dir, kafka=kafka)
    finally:
        services.stop()


@pytest.fixture(scope="module")
def finished_import(traced_product: Product) -> dict[str, Any]:
    """The example file imported once, its customers subscribed to a plan."""
    client = traced_product.client()
    uploaded = client.upload(EXAMPLES / "customers.csv")
    assert uploaded.status_code == 201, uploaded.text
    import_id = uploaded.json()["id"]
    client.start(import_id, plan_choice(create_plan(client)))
    final = client.wait_until_final(import_id, timeout=120)
    assert final["status"] == "partially_imported"
    assert final["counts"]["subscribed"] > 0
    return final


def eventually(check: Callable[[], bool], *, within: float = 30.0) -> None:
    """Wait until check() holds."""
    deadline = time.monotonic() + within
    while not check():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.2)


def start_request(receiver: OtlpReceiver) -> ReceivedSpan:
    """The span of the request that started the import, once it is exported."""

    def exported() -> ReceivedSpan | None:
        return next(
            (
                span
                for span in list(receiver.spans)
                if span.service == "upload"
                and span.kind == Span.SpanKind.SPAN_KIND_SERVER
                and span.name == "POST /v1/imports/{import_id}/start"
            ),
            None,
        )

    eventually(lambda: exported() is not None)
    request = exported()
    assert request is not None
    return request


def test_one_trace_follows_the_import_through_every_service(
    finished_import: dict[str, Any], receiver: OtlpReceiver
) -> None:
    request = start_request(receiver)
    # The request that starts the import is the root of its trace.
    assert request.parent_span_id == ""

    def services_in_trace() -> set[str]:
        return {span.service for span in list(receiver.spans) if span.trace_id == request.trace_id}

    eventually(lambda: services_in_trace() == set(SERVICE_APPS))

    def hops() -> set[tuple[str, str]]:
        """(sending service, receiving service) of every span whose parent is another's."""
        in_trace = [span for span in list(receiver.spans) if span.trace_id == request.trace_id]
        by_id = {span.span_id: span for span in in_trace}
        return {
            (by_id[span.parent_span_id].service, span.service)
            for span in in_trace
            if span.parent_span_id in by_id and by_id[span.parent_span_id].service != span.service
        }

    # Across each hop the parent is a span of the sending service: the context travelled in
    # the Kafka headers (into the writer's batch subscriber too).
    # Spans are exported in batches, a few seconds apart per service: a service can be in the
    # trace already while the span of its later hop is still on its way.
    expected = {
        ("upload", "validator"),
        ("validator", "customer-writer"),
        ("customer-writer", "subscription"),
        ("subscription", "aggregator"),
    }
    eventually(lambda: expected <= hops())
    assert expected <= hops()
    # Health checks and scrapes are not traced.
    assert not [span for span in receiver.spans if "healthz" in span.name]


async def test_public_customer_created_events_carry_the_import_trace(
    finished_import: dict[str, Any], traced_product: Product, receiver: OtlpReceiver
) -> None:
    # Written into record batches by publish_many, read by no service of ours: an outside
    # consumer still finds each event in the trace of the import that created its customer.
    request = start_request(receiver)
    parents = [
        dict(record.headers)["traceparent"].decode()
        for record in await topic_records(traced_product.kafka, topics.CUSTOMER_CREATED)
        if json.loads(record.value)["import_id"] == finished_import["id"]
    ]
    assert len(parents) >= finished_import["counts"]["created"]
    # traceparent: version-trace id-parent span-flags.
    assert {parent.split("-")[1] for parent in parents} == {request.trace_id}


def test_every_worker_line_about_a_message_names_the_import(
    finished_import: dict[str, Any], traced_product: Product
) -> None:
    emails = {
        cell
        for row in csv.reader(
            io.StringIO((EXAMPLES / "customers.csv").read_text("utf-8-sig")), delimiter=";"
        )
        for cell in row
        if "@" in cell
    }
    assert emails
    about_messages = 0
    for service in WORKERS:
        text = (traced_product.state_dir / "logs" / f"{service}.log").read_text()
        for raw in text.splitlines():
            line = json.loads(raw)
            if line["message"] in ("Received", "Processed"):
                about_messages += 1
                assert line.get("import_id") == finished_import["id"], (service, line)
        assert not [email for email in emails if email in text], f"{service} logs an e-mail"
    assert about_messages > 0


def test_every_worker_exports_its_consumer_lag(
    finished_import: dict[str, Any], traced_product: Product
) -> None:
    workers = [p for p in traced_product.services.processes if p.service in WORKERS]

    def lag_lines(url: str) -> list[str]:
        metrics = httpx.get(f"{url}/metrics", timeout=5).text
        return [ln for ln in metrics.splitlines() if ln.startswith("customer_import_consumer_lag{")]

    prefix = traced_product.kafka.topic_prefix
    for worker in workers:

        def drained(url: str = worker.url) -> bool:
            # Every partition this worker owns is reported; all drained once the import is.
            lines = lag_lines(url)
            return bool(lines) and all(line.endswith(" 0.0") for line in lines)

        eventually(drained)
        assert all(f'group="{prefix}' in line for line in lag_lines(worker.url))
        waited = httpx.get(f"{worker.url}/metrics", timeout=5).text
        assert "customer_import_message_wait_seconds_count{" in waited
