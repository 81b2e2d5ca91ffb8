"""Schema extensions: every query and mutation runs in one tenant-scoped transaction, and is
counted and timed for /metrics by operation name."""

from __future__ import annotations

import time
from collections.abc import AsyncIterator

from strawberry.types.graphql import OperationType
from strawberry.extensions import SchemaExtension

from redgrid.platform import events, metrics
from redgrid.platform.database import tenant_transaction


class _RollBack(Exception):
    pass


class TenantTransaction(SchemaExtension):
    """A mutation that ends with a GraphQL error (refused, or failed half-way) is rolled back
    whole; one that returns typed user errors wrote nothing, since services validate first."""

    async def on_execute(self) -> AsyncIterator[None]:
        execution = self.execution_context
        if execution.operation_type is OperationType.SUBSCRIPTION:
            # A subscription lives for hours; each event it reads opens its own transaction.
            yield
            return
        mutation = execution.operation_type is OperationType.MUTATION
        try:
            async with tenant_transaction(execution.context.ctx.tenant_id):
                yield
                if mutation and getattr(execution.result, "errors", None):
                    raise _RollBack
        except _RollBack:
            return
        if mutation:
            events.committed()  # the outbox rows it wrote are visible now: publish them


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
