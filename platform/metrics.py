"""Prometheus metrics: HTTP requests by route, GraphQL operations by name, open websockets and
event subscriptions."""

from __future__ import annotations

import re

from prometheus_client import Counter, Gauge, Histogram

HTTP_REQUESTS = Counter("redgrid_http_requests_total", "HTTP requests", ["route", "method", "status"])
HTTP_LATENCY = Histogram("redgrid_http_request_seconds", "HTTP request latency", ["route"])
OPERATIONS = Counter(
    "redgrid_graphql_operations_total", "GraphQL operations", ["operation", "type", "outcome"]
)
OPERATION_LATENCY = Histogram(
    "redgrid_graphql_operation_seconds", "GraphQL operation latency", ["operation", "type"]
)
WEBSOCKETS = Gauge("redgrid_websocket_connections", "Open websocket connections")
SUBSCRIPTIONS = Gauge("redgrid_event_subscriptions", "Live event subscriptions served by this process's hub")

# Operation names come from clients: keep label values few and well-formed.
_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]{0,63}$")
_MAX_NAMES = 200
_seen: set[str] = set()


def operation_label(name: str | None) -> str:
    if not name:
        return "anonymous"
    if not _NAME.match(name):
        return "invalid"
    if name not in _seen:
        if len(_seen) >= _MAX_NAMES:
            return "other"
        _seen.add(name)
    return name


def observe_operation(name: str | None, kind: str, seconds: float, failed: bool) -> None:
    label = operation_label(name)
    OPERATIONS.labels(label, kind, "error" if failed else "ok").inc()
    OPERATION_LATENCY.labels(label, kind).observe(seconds)
