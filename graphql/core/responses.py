"""How the server writes a GraphQL response or protocol message: with orjson, which pastes in
as they are the nodes a compiled page took from PostgreSQL as JSON (orjson.Fragment,
graphql/core/compiled.py), and a shared event rendering as its one JSON text (graphql/core/fanout.py)."""

from __future__ import annotations

import json

import orjson

from redgrid.graphql.core.fanout import encode_message


def _orjson_text(message: object) -> str:
    # Text, not bytes: strawberry sends bytes on a websocket as a binary frame, which
    # graphql-ws clients do not read.
    try:
        return orjson.dumps(message).decode()
    except TypeError:
        # What orjson refuses and json writes: a lone surrogate (graphql-core quotes a bad enum
        # value in its error as sent), an integer over 64 bits. Such a response has no
        # compiled page in it.
        return json.dumps(message, separators=(",", ":"))


def encode_json(data: object) -> str:
    return encode_message(data, _orjson_text)
