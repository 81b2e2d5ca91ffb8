"""Counting the SQL statements Tortoise runs: its `tortoise.db_client` logger logs each one
once, at DEBUG."""

from __future__ import annotations

import logging


class StatementCounter(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.statements: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.statements.append(record.getMessage())
