"""`on_commit` (platform/database.py): what waits for a commit runs after the outermost tenant
transaction commits, once, and never after a rollback; this is how recording an event wakes the
publisher (platform/events.py) without a call after each commit."""

from __future__ import annotations

import pytest

from redgrid.platform.database import on_commit, tenant_transaction

pytestmark = pytest.mark.usefixtures("db")


class Boom(Exception):
    pass


async def test_a_hook_runs_once_after_the_outermost_commit() -> None:
    ran: list[str] = []

    def hook() -> None:
        ran.append("hook")

    async with tenant_transaction(None):
        on_commit(hook)
        async with tenant_transaction(None):
            on_commit(hook)
            on_commit(hook)
        assert ran == []  # the savepoint's release is not a commit
    assert ran == ["hook"]


async def test_no_hook_runs_after_a_rollback() -> None:
    ran: list[str] = []
    with pytest.raises(Boom):
        async with tenant_transaction(None):
            async with tenant_transaction(None):
                on_commit(lambda: ran.append("inner"))
            on_commit(lambda: ran.append("outer"))
            raise Boom
    assert ran == []


async def test_a_rolled_back_savepoint_forgets_its_hooks_but_the_outer_commit_runs_its_own() -> None:
    ran: list[str] = []
    async with tenant_transaction(None):
        on_commit(lambda: ran.append("outer"))
        with pytest.raises(Boom):
            async with tenant_transaction(None):
                on_commit(lambda: ran.append("inner"))
                raise Boom
    assert ran == ["outer"]


def test_outside_a_transaction_a_hook_runs_at_once() -> None:
    ran: list[str] = []
    on_commit(lambda: ran.append("now"))
    assert ran == ["now"]
