"""Schema extensions: no string a caller sends holds a control character, every query and
mutation runs in one tenant-scoped transaction, and is counted and timed for /metrics by
operation name."""

from __future__ import annotations

import time
import weakref
from collections.abc import AsyncIterator, Iterator
from contextlib import AbstractAsyncContextManager, nullcontext
from datetime import timedelta
from typing import Any

import orjson
from graphql import DocumentNode, GraphQLError, Node, StringValueNode
from graphql import ExecutionResult as GraphQLExecutionResult
from strawberry.extensions import SchemaExtension
from strawberry.types.graphql import OperationType
from tortoise.backends.base.client import BaseDBAsyncClient

from redgrid.graphql.core.idempotency import REPLAYED_KEY, header_key, request_hash
from redgrid.graphql.core.responses import encode_json
from redgrid.platform import metrics
from redgrid.platform.context import RequestContext
from redgrid.platform.database import department_transaction, tenant_transaction
from redgrid.platform.idempotency import Claimant, IdempotencyRefused, claim, record
from redgrid.platform.settings import get_settings
from redgrid.platform.text import bad_character


class TextGuard(SchemaExtension):
    """Refuses, before validation ends, a query or subscription whose string literals or
    variables hold a NUL, another control character (a multi-line text's line feed and tab
    aside) or a bidi override: INVALID_TEXT. Their strings are filters, search terms, cursors and
    ids, which no service checks with the text rule (platform/text.py), and a NUL among them
    reached PostgreSQL and failed the request. A mutation is left to its services: they apply
    the rule to what they store and name the field in the payload's errors, as a form needs."""

    def on_validate(self) -> Iterator[None]:
        execution = self.execution_context
        if execution.graphql_document is not None and execution.operation_type is not OperationType.MUTATION:
            problem = literal_problem(execution.graphql_document) or variables_problem(execution.variables)
            if problem is not None:
                execution.pre_execution_errors = [*(execution.pre_execution_errors or ()), problem]
        yield


def variables_problem(variables: dict[str, Any] | None) -> GraphQLError | None:
    """The refusal of the first variable that holds, anywhere in it, a string with a forbidden
    character; named by the variable alone (its keys are the caller's too)."""
    for name, value in (variables or {}).items():
        if (char := _bad_string(value)) is not None:
            where = f"variable ${name}" if name.isidentifier() else "a variable"
            return GraphQLError(
                f"{where}: the character U+{ord(char):04X} is not allowed", extensions={"code": "INVALID_TEXT"}
            )
    return None


def _bad_string(value: Any) -> str | None:
    if isinstance(value, str):
        return bad_character(value, multiline=True)
    if isinstance(value, dict):
        value = value.values()
    elif not isinstance(value, list):
        return None  # numbers, booleans, uploads
    for item in value:
        if (char := _bad_string(item)) is not None:
            return char
    return None


_literal_problems: dict[int, GraphQLError | None] = {}


def literal_problem(document: DocumentNode) -> GraphQLError | None:
    """The refusal of the first string literal in `document` that holds a forbidden character,
    found once per document (graphql/core/limits.py keeps one parsed document per distinct text)."""
    key = id(document)
    if key not in _literal_problems:
        _literal_problems[key] = _first_bad_literal(document)
        weakref.finalize(document, _literal_problems.pop, key, None)
    return _literal_problems[key]


def _first_bad_literal(document: DocumentNode) -> GraphQLError | None:
    stack: list[Any] = [document]
    while stack:
        node = stack.pop()
        if isinstance(node, StringValueNode):
            if (char := bad_character(node.value, multiline=True)) is not None:
                return GraphQLError(
                    f"a string in the document: the character U+{ord(char):04X} is not allowed",
                    nodes=node,
                    extensions={"code": "INVALID_TEXT"},
                )
            continue
        for key in node.keys:
            child = getattr(node, key)
            if isinstance(child, tuple | list):
                stack.extend(child)
            elif isinstance(child, Node):
                stack.append(child)
    return None


class _RollBack(Exception):
    pass


def caller_transaction(ctx: RequestContext) -> AbstractAsyncContextManager[BaseDBAsyncClient]:
    """The transaction a request of `ctx` runs in: its tenant's, or, for a district
    department's staff, who have no tenant, their department's."""
    if ctx.tenant is None and ctx.department_id is not None:
        return department_transaction(ctx.department_id)
    return tenant_transaction(ctx.tenant_id)


class TenantTransaction(SchemaExtension):
    """Every query and mutation in one transaction of the caller's tenant (or district
    department). A mutation that ends with a GraphQL error (refused, or failed half-way) is rolled back
    whole; one that returns typed user errors wrote nothing, since services validate first.

    A mutation sent over HTTP with an `Idempotency-Key` claims its key in that transaction
    before it runs and stores its response before the commit (platform/idempotency.py): a retry
    with the same key and request gets the stored response and runs nothing."""

    async def on_execute(self) -> AsyncIterator[None]:
        execution = self.execution_context
        if execution.operation_type is OperationType.SUBSCRIPTION:
            # A subscription lives for hours; each event it reads opens its own transaction.
            yield
            return
        mutation = execution.operation_type is OperationType.MUTATION
        ctx: RequestContext = execution.context.ctx
        request = getattr(execution.context, "request", None)  # absent: a context of a test's own
        key = header_key(request) if request is not None and mutation and ctx.identity is not None else None
        claimant: Claimant | None = None
        if key is not None and ctx.identity is not None:
            if ctx.tenant_id is None and ctx.department_id is None:  # a platform or district admin
                raise IdempotencyRefused(
                    400,
                    "IDEMPOTENCY_UNSUPPORTED",
                    "idempotency keys are kept per street or department: you have neither",
                )
            digest = await request_hash(execution.query, execution.operation_name, execution.variables)
            claimant = Claimant(ctx.identity.subject, key, digest, ctx.tenant_id, ctx.department_id)
        turn = getattr(execution.context, "database_turn", None)  # absent: a context of a test's own
        try:
            async with turn() if turn else nullcontext(), caller_transaction(ctx):
                stored = None
                if claimant is not None:
                    retention = timedelta(seconds=get_settings().idempotency_retention_seconds)
                    stored = await claim(claimant, retention)
                if stored is not None and request is not None:  # run before: its response, and nothing runs
                    execution.result = GraphQLExecutionResult(data=orjson.loads(stored))
                    request.scope[REPLAYED_KEY] = True
                yield
                if mutation and getattr(execution.result, "errors", None):
                    raise _RollBack
                if claimant is not None and stored is None:
                    await record(claimant, encode_json(getattr(execution.result, "data", None)))
        except _RollBack:
            return


class OperationMetrics(SchemaExtension):
    async def on_operation(self) -> AsyncIterator[None]:
        started = time.perf_counter()
        yield
        execution = self.execution_context
        result = execution.result
        failed = bool(getattr(result, "errors", None)) or bool(execution.pre_execution_errors)
        metrics.observe_operation(
            execution.operation_name,
            execution.operation_type.value if execution.graphql_document else "unknown",  # None: refused unparsed
            time.perf_counter() - started,
            failed,
        )
