"""In-process GraphQL as the tests see it: the SQL statements Tortoise runs, counted (its
`tortoise.db_client` logger logs each one once, at DEBUG), and the data as a client reads it."""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from strawberry.types import ExecutionResult

from redgrid.graphql.responses import encode_json


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
    be pasted into the response (graphql/compiled.py), not dicts."""
    return json.loads(encode_json(result.data))
