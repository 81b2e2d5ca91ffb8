"""GraphQL over HTTP's media types (the graphql-over-http draft): which one a client asked for
in its Accept header. Used by the view and by the rate gate, which answers before the view."""

from __future__ import annotations

GRAPHQL_RESPONSE = "application/graphql-response+json"
LEGACY_JSON = "application/json"
ACCEPT_RANGES = 32  # media ranges of an Accept header read, at most


def negotiated_media_type(accept: str | None) -> str:
    """application/graphql-response+json when the client names it (and prefers nothing to it);
    application/json otherwise: a missing Accept, `*/*` and `application/*` included, and for
    what we cannot produce (legacy clients get what they always did)."""
    if not accept:
        return LEGACY_JSON
    modern = legacy = 0.0
    for media_range in accept.split(",", ACCEPT_RANGES)[:ACCEPT_RANGES]:
        name, _, params = media_range.partition(";")
        name = name.strip().lower()
        quality = _quality(params)
        if name == GRAPHQL_RESPONSE:
            modern = max(modern, quality)
        elif name in (LEGACY_JSON, "application/*", "*/*"):
            legacy = max(legacy, quality)
    return GRAPHQL_RESPONSE if modern > 0 and modern >= legacy else LEGACY_JSON


def _quality(params: str) -> float:
    for param in params.split(";"):
        key, _, value = param.partition("=")
        if key.strip().lower() == "q":
            try:
                quality = float(value.strip()[:5])
            except ValueError:
                return 0.0
            return quality if 0 <= quality <= 1 else 0.0
    return 1.0
