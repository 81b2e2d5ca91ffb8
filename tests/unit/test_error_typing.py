"""What a client is told of an error (graphql/core/errors.py) and the control-character net under
every string a caller sends (graphql/core/extensions.py): pure functions, no server."""

from __future__ import annotations

import gc
from types import SimpleNamespace

import pytest
import structlog
from graphql import GraphQLError, parse
from graphql.error import GraphQLSyntaxError
from graphql.language import Source
from strawberry.relay.types import GlobalIDValueError

from redgrid.graphql.core.errors import INTERNAL_MESSAGE, client_error
from redgrid.graphql.core.extensions import _literal_problems, literal_problem, variables_problem
from redgrid.platform.context import Forbidden
from redgrid.platform.errors import InvalidInput, UserError
from redgrid.platform.settings import Environment

CONSTRAINT = 'duplicate key value violates unique constraint "resident_id_number" (id_number)=(110105194912310021)'


def raised(exc: Exception) -> GraphQLError:
    """`exc` as graphql-core reports it when a resolver raises it."""
    return GraphQLError(str(exc), path=["field"], original_error=exc)


def test_invalid_input_answers_its_first_errors_code_and_field() -> None:
    error = client_error(raised(InvalidInput(UserError("first", "OUT_OF_RANGE", "first must be 1 to 500"))), mask=True)
    assert (error.message, error.extensions, error.path) == (
        "first must be 1 to 500",
        {"code": "OUT_OF_RANGE", "field": "first"},
        ["field"],
    )


def test_a_refusal_raised_on_purpose_is_kept() -> None:
    forbidden = raised(Forbidden("this needs one of the roles: secretary"))
    assert client_error(forbidden, mask=True) is forbidden and forbidden.extensions == {"code": "FORBIDDEN"}


def test_what_the_caller_sent_wrong_is_typed() -> None:
    assert client_error(raised(GlobalIDValueError("x")), mask=True).extensions == {"code": "INVALID_ID"}
    syntax = GraphQLSyntaxError(Source("{"), 1, "Expected Name, found <EOF>.")
    assert client_error(syntax, mask=True).extensions == {"code": "GRAPHQL_PARSE_FAILED"}
    assert client_error(GraphQLError("Cannot query field 'x'"), mask=True).extensions == {
        "code": "GRAPHQL_VALIDATION_FAILED"
    }
    variable = GraphQLError("Variable '$f' has invalid value", original_error=GraphQLError("Int cannot..."))
    assert client_error(variable, mask=True).extensions == {"code": "BAD_USER_INPUT"}


def test_an_unexpected_error_is_masked_in_production_with_the_request_id() -> None:
    structlog.contextvars.bind_contextvars(request_id="req-1")
    try:
        error = client_error(raised(RuntimeError(CONSTRAINT)), mask=True)
    finally:
        structlog.contextvars.unbind_contextvars("request_id")
    assert error.message == INTERNAL_MESSAGE and error.path == ["field"]
    assert error.extensions == {"code": "INTERNAL", "requestId": "req-1"}
    assert error.original_error is None and "110105" not in str(error.formatted)
    # In development the message stays, for whoever debugs it; the code is there either way.
    assert client_error(raised(RuntimeError("boom")), mask=False).extensions == {"code": "INTERNAL"}


def test_variables_with_a_control_character_anywhere_are_refused() -> None:
    assert variables_problem({"n": "a\tb\nc", "i": 3, "f": None, "u": object()}) is None
    for bad in ({"n": "a\x00"}, {"input": {"names": ["ok", "\u202e"]}}, {"l": [[{"x": "\x1b"}]]}):
        error = variables_problem(bad)
        assert error is not None and error.extensions == {"code": "INVALID_TEXT"}
        assert "\x00" not in error.message and "\u202e" not in error.message
    assert "$input" in variables_problem({"input": {"name": "\x07"}}).message  # type: ignore[union-attr]


def test_string_literals_are_checked_once_per_document() -> None:
    document = parse('{ gridNodes(filter: {nameContains: "a\\u0000b"}) { totalCount } }')
    error = literal_problem(document)
    assert error is not None and error.extensions == {"code": "INVALID_TEXT"} and error.locations
    assert literal_problem(document) is error
    assert literal_problem(parse('{ gridNodes(filter: {nameContains: "a\\tb"}) { totalCount } }')) is None
    gc.collect()
    count = len(_literal_problems)
    del document
    gc.collect()
    assert len(_literal_problems) == count - 1  # forgotten with its document


class _Crashing:
    """A request context whose every check fails as a bug would, quoting a person's data."""

    identity = None
    tenant_id = None

    def require_user(self) -> None:
        raise RuntimeError(CONSTRAINT)


async def test_the_schema_masks_what_nobody_meant_to_raise_in_production(monkeypatch: pytest.MonkeyPatch) -> None:
    """Through the real schema (a subscription: it opens no transaction, so no database)."""
    from redgrid.graphql import schema as module

    monkeypatch.setattr(module, "get_settings", lambda: SimpleNamespace(env=Environment.PRODUCTION))
    structlog.contextvars.bind_contextvars(request_id="req-2")
    try:
        stream = await module.schema.subscribe(
            "subscription { heartbeat }", context_value=SimpleNamespace(ctx=_Crashing())
        )
        result = await anext(stream)  # type: ignore[arg-type]
        await stream.aclose()  # type: ignore[union-attr]
    finally:
        structlog.contextvars.unbind_contextvars("request_id")
    [error] = result.errors
    assert (error.message, error.extensions) == (INTERNAL_MESSAGE, {"code": "INTERNAL", "requestId": "req-2"})
    assert "110105" not in str(error.formatted)
