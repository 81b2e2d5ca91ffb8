"""What a caller is told of an error: every GraphQL error carries `extensions.code`, and one
nobody meant to raise says nothing of its cause in production, where its message could quote
a database constraint or a person's data; the log keeps the exception (graphql/core/errorlog.py).

`InvalidInput` escaping a resolver (a query's bad `first`, a bad cursor) answers its first
error's code and field, as a mutation's payload would; an id that cannot be read is INVALID_ID;
what graphql-core refuses before any resolver runs is GRAPHQL_PARSE_FAILED,
GRAPHQL_VALIDATION_FAILED or BAD_USER_INPUT (a variable or argument of the wrong type).
"""

from __future__ import annotations

from typing import Any

import structlog
from graphql import GraphQLError, GraphQLSyntaxError
from strawberry.exceptions import StrawberryInputCoercionError
from strawberry.relay.types import GlobalIDValueError

from redgrid.platform.errors import InvalidInput

INTERNAL_MESSAGE = "internal error"
# Values the caller sent that could not be read as their type (a variable's coercion error is
# one of graphql-core's GraphQLErrors).
_CALLERS_INPUT = (GraphQLError, StrawberryInputCoercionError, GlobalIDValueError)


def callers_input(error: GraphQLError) -> bool:
    """Whether `error` refuses what the caller wrote, before any resolver ran or as a resolver's
    arguments were read: not the server's fault. graphql-core refuses the document and its
    variables pointing at their nodes, with no path (a scalar's own exception then rides along as
    the original error); an extension's exception has neither."""
    original = error.original_error
    return original is None or isinstance(original, _CALLERS_INPUT) or (error.path is None and bool(error.nodes))


def client_error(error: GraphQLError, *, mask: bool) -> GraphQLError:
    """`error` as the client gets it; `mask` (production) hides an unexpected one's message."""
    original = error.original_error
    if isinstance(original, InvalidInput):
        first = original.errors[0] if original.errors else None
        code = first.code if first else "INVALID_INPUT"
        return _retyped(error, str(original), {"code": code, "field": first.field if first else None})
    if (error.extensions or {}).get("code"):  # raised on purpose: UNAUTHENTICATED, FORBIDDEN, limits...
        return error
    if isinstance(original, GlobalIDValueError):
        return _retyped(error, error.message, {"code": "INVALID_ID"})
    if isinstance(error, GraphQLSyntaxError):
        return _retyped(error, error.message, {"code": "GRAPHQL_PARSE_FAILED"})
    if original is None:
        return _retyped(error, error.message, {"code": "GRAPHQL_VALIDATION_FAILED"})
    if callers_input(error):
        return _retyped(error, error.message, {"code": "BAD_USER_INPUT"})  # a value of the wrong type
    if not mask:
        return _retyped(error, error.message, {"code": "INTERNAL"})
    request_id = structlog.contextvars.get_contextvars().get("request_id")
    return _retyped(error, INTERNAL_MESSAGE, {"code": "INTERNAL", "requestId": request_id})


def _retyped(error: GraphQLError, message: str, extensions: dict[str, Any]) -> GraphQLError:
    return GraphQLError(
        message,
        nodes=error.nodes,
        source=error.source,
        positions=error.positions,
        path=error.path,
        extensions=extensions,
    )
