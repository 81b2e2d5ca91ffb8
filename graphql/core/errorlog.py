"""GraphQL errors in the log: one line each, naming the operation, the field's path, the error
code or exception type and (bound by platform/middleware.py) the request id, never the document,
its variables or the error's message, which quote what the caller wrote (an ID-card number
inline in a mutation). Strawberry's own logger printed all three with a traceback per error.
"""

from __future__ import annotations

from typing import Any

import structlog
from graphql import GraphQLError

from redgrid.graphql.core.errors import callers_input
from redgrid.platform import metrics
from redgrid.platform.errors import InvalidInput

log = structlog.get_logger("redgrid.graphql")


def log_graphql_errors(errors: list[GraphQLError], execution_context: Any | None) -> None:
    operation = metrics.operation_label(execution_context.operation_name if execution_context else None)
    for error in errors:
        path = ".".join(str(part) for part in error.path or ()) or None
        code = (error.extensions or {}).get("code")
        original = error.original_error
        if isinstance(original, InvalidInput):
            code = ",".join(sorted({e.code for e in original.errors})) or "INVALID_INPUT"
        if callers_input(error):
            # Refused before any resolver ran (syntax, validation, variables, ids): the caller's doing.
            log.info(
                "graphql document refused",
                operation=operation,
                code=code or "INVALID_DOCUMENT",
                path=path,
                error_key=("refused", operation, code, path),
            )
        elif code is not None:
            # A refusal the code chose (UNAUTHENTICATED, FORBIDDEN, RATE_LIMITED, bad input...).
            log.info(
                "graphql field refused",
                operation=operation,
                code=code,
                path=path,
                error_key=("field", operation, code, path),
            )
        else:
            log.error("graphql resolver failed", operation=operation, path=path, exc_info=original)
