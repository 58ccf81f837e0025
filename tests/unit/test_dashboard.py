"""The Grafana dashboard queries only metrics the services export."""

import json
import re
from pathlib import Path

from faststream.kafka.prometheus import KafkaPrometheusMiddleware
from prometheus_client import REGISTRY, CollectorRegistry

# Registered on import: the domain metrics, and the lag and wait metrics every worker exports.
import shared.consumer_lag
import shared.metrics  # noqa: F401

DASHBOARD = Path(__file__).resolve().parents[2] / "deploy" / "grafana" / "customer-import.json"
_SUFFIXES = {"counter": ("_total",), "histogram": ("_bucket", "_count", "_sum"), "gauge": ("",)}


def exported_series(registry: CollectorRegistry) -> set[str]:
    """The series names a registry exposes, with the suffixes each metric type adds."""
    return {
        family.name + suffix
        for family in registry.collect()
        for suffix in _SUFFIXES.get(family.type, ("",))
    }


def test_every_metric_the_dashboard_queries_is_exported() -> None:
    faststream = CollectorRegistry()
    KafkaPrometheusMiddleware(registry=faststream, app_name="any")
    exported = exported_series(REGISTRY) | exported_series(faststream)

    panels = json.loads(DASHBOARD.read_text(encoding="utf-8"))["panels"]
    expressions = [target["expr"] for panel in panels for target in panel["targets"]]
    queried = {
        name
        for expression in expressions
        for name in re.findall(r"\b(?:customer_import|faststream)_[a-z_]+\b", expression)
    }
    assert queried, "the dashboard queries no metric"
    assert queried <= exported, f"not exported: {sorted(queried - exported)}"


def test_the_dashboard_shows_what_operators_asked_for() -> None:
    titles = " | ".join(p["title"] for p in json.loads(DASHBOARD.read_text())["panels"])
    for subject in ("in flight", "per second", "Failures by reason", "latency", "Consumer lag"):
        assert subject in titles


def test_the_dashboard_shows_consumer_lag_per_group_and_partition() -> None:
    panels = json.loads(DASHBOARD.read_text())["panels"]
    lag_expressions = [
        target["expr"]
        for panel in panels
        for target in panel["targets"]
        if "customer_import_consumer_lag" in target["expr"]
    ]
    assert any("by (group, topic)" in expr for expr in lag_expressions)
    assert any("partition" in expr for expr in lag_expressions)
