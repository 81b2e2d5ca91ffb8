"""Live events as the integration modules share them: a second server, nodes to act on, waiting."""

from __future__ import annotations

import asyncio

import pytest

from redgrid.platform.database import tenant_transaction
from redgrid.tenants.grid.models import GridNode

from .clients import Subscriber, gql_data
from .conftest import LiveServer

CREATE = """mutation($parent: ID!, $code: String!) {
  createGridNode(input: {parentId: $parent, code: $code, name: "测试网格"}) {
    node { id path } errors { code message } } }"""


@pytest.fixture(scope="module")
def second_server(fresh_database):
    """A second replica whose hub reads the event log only when it sees a gap (its periodic
    catch-up is an hour away): what reaches its subscribers came through Redis."""
    server = LiveServer({**fresh_database, "REDGRID_HUB_CATCH_UP_SECONDS": "3600"})
    try:
        server.wait_ready()
        yield server
    finally:
        server.stop()


@pytest.fixture(scope="module")
async def home(db, street):
    """The module's street and its grid nodes by path."""
    tenant = street.tenant
    async with tenant_transaction(tenant.id):
        nodes = {n.path: n for n in await GridNode.filter(tenant_id=tenant.id)}
    return tenant, nodes


def gid(node: GridNode) -> str:
    import base64

    return base64.b64encode(f"GridNode:{node.id}".encode()).decode()


async def any_node(server: LiveServer, token: str) -> str:
    """The id of one node of the caller's grid."""
    data = await gql_data(server, "{ gridNodes(first: 1) { edges { node { id } } } }", token=token)
    return data["gridNodes"]["edges"][0]["node"]["id"]


async def wait_until(subscriber: Subscriber, seen, within: float = 30) -> None:
    """Wait until `seen(event)` holds for an event `subscriber` received."""
    deadline = asyncio.get_running_loop().time() + within
    while not any(seen(e) for e in subscriber.events):
        assert asyncio.get_running_loop().time() < deadline, f"no marker among {subscriber.events}"
        await subscriber.wait_for(
            len(subscriber.events) + 1, within=max(0.1, deadline - asyncio.get_running_loop().time())
        )
