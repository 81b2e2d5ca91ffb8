"""Prometheus metrics: HTTP requests by route, GraphQL operations by name, open websockets,
event subscriptions, the frozen collector's work, rate-limit refusals and stale identity keys."""

from __future__ import annotations

import re

from prometheus_client import Counter, Gauge, Histogram

HTTP_REQUESTS = Counter("redgrid_http_requests_total", "HTTP requests", ["route", "method", "status"])
HTTP_LATENCY = Histogram("redgrid_http_request_seconds", "HTTP request latency", ["route"])
OPERATIONS = Counter("redgrid_graphql_operations_total", "GraphQL operations", ["operation", "type", "outcome"])
OPERATION_LATENCY = Histogram("redgrid_graphql_operation_seconds", "GraphQL operation latency", ["operation", "type"])
WEBSOCKETS = Gauge("redgrid_websocket_connections", "Open websocket connections")
SUBSCRIPTIONS = Gauge("redgrid_event_subscriptions", "Live event subscriptions served by this process's hub")
EVENT_FANOUT = Histogram(
    "redgrid_event_fanout_seconds",
    "Time this process's hub takes to hand one event to every subscriber of its topic (rendering and socket writes)",
    buckets=(0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5),
)
GC_FROZEN = Gauge(
    "redgrid_gc_frozen_objects",
    "Objects frozen out of the garbage collector's full collections, counted as frozen"
    " (corrected to the real count at a full pass or a backstop recount)",
)
GC_FULL_PASSES = Counter("redgrid_gc_full_passes_total", "Full passes over every object, frozen or not")
GC_PASS_UNREACHABLE = Counter("redgrid_gc_full_pass_unreachable_total", "Unreachable objects the full passes found")
RATE_LIMITED = Counter("redgrid_rate_limited_total", "Requests refused by a rate limit", ["budget"])
USER_STATUS_STALE = Counter(
    "redgrid_user_status_stale_total",
    "Times a user's status could not be asked of Keycloak and the last known one was kept",
)
JWKS_STALE = Counter(
    "redgrid_jwks_stale_total",
    "Times the identity provider's keys could not be refreshed and the cached ones were kept",
)

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
