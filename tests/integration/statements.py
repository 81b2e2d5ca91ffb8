"""In-process GraphQL as the tests see it: the SQL statements Tortoise runs, counted (its
`tortoise.db_client` logger logs each one once, at DEBUG), and the data as a client reads it."""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator
from contextlib import contextmanager
from types import SimpleNamespace
from typing import Any

from strawberry.types import ExecutionResult

from redgrid.graphql.core.loaders import Loaders
from redgrid.graphql.core.responses import encode_json
from redgrid.graphql.schema import schema
from redgrid.platform.auth.identity import Identity
from redgrid.platform.context import GridScope, RequestContext, ScopeKind
from redgrid.platform.models import Tenant


class _StatementCounter(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.statements: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.statements.append(record.getMessage())


@contextmanager
def counted_statements() -> Iterator[list[str]]:
    """The statements run inside the block, in order."""
    logger = logging.getLogger("tortoise.db_client")
    counter, level = _StatementCounter(), logger.level
    logger.addHandler(counter)
    logger.setLevel(logging.DEBUG)
    try:
        yield counter.statements
    finally:
        logger.removeHandler(counter)
        logger.setLevel(level)


def response_data(result: ExecutionResult) -> Any:
    """`result.data` after the server's encoding: a compiled page's nodes are JSON waiting to
    be pasted into the response (graphql/core/compiled.py), not dicts."""
    return json.loads(encode_json(result.data))


async def street_secretary(slug: str) -> RequestContext:
    """A tenant-wide secretary of the street `slug`, for queries run in process."""
    tenant = await Tenant.get(slug=slug)
    identity = Identity("sql-count", "sql-count", frozenset({"secretary"}), tenant.slug, None)
    return RequestContext(identity, tenant, GridScope(ScopeKind.TENANT))


async def statements_for(ctx: RequestContext, query: str, variables: dict[str, Any] | None = None) -> tuple[int, Any]:
    """The statements the query costs, and its data as a client reads it."""
    with counted_statements() as statements:
        # The stand-in for GraphQLContext: what resolvers and the transaction extension read.
        result = await schema.execute(query, variables, context_value=SimpleNamespace(ctx=ctx, loaders=Loaders(ctx)))
    assert result.errors is None, result.errors
    return len(statements), response_data(result)
