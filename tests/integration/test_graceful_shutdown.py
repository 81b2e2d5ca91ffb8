"""SIGTERM with live subscribers: every subscriber is told to reconnect (4503), the process
publishes what it committed and exits, and subscribers that reconnect elsewhere with their last
seq end with every event, in order, none twice."""

from __future__ import annotations

import asyncio
import signal
import uuid

from redgrid.platform.database import tenant_transaction
from redgrid.platform.models import Event
from redgrid.realtime.publisher import enter_publisher_scope

from .clients import Subscriber, gql_data
from .conftest import LiveServer
from .realtime_api import CREATE, gid


async def test_sigterm_closes_subscribers_with_reconnect_and_loses_nothing(live_server, fresh_database, home, street):
    tenant, nodes = home
    secretary = street.token("secretary")
    parent = gid(nodes["JS01.A3"])
    prefix = uuid.uuid4().hex[:4]
    codes = [f"G{prefix}{i:03d}" for i in range(120)]
    doomed = LiveServer({**fresh_database, "REDGRID_LOG_LEVEL": "INFO"})
    doomed.wait_ready()
    subscribers = [
        Subscriber(doomed, secretary),
        Subscriber(doomed, secretary),
        Subscriber(doomed, street.token("grid-head"), area="GRID"),  # sees none of A3
        Subscriber(doomed, secretary, protocol="graphql-ws"),
    ]
    for s in subscribers:
        await s.__aenter__()

    async def create(server: LiveServer, code: str) -> None:
        data = await gql_data(server, CREATE, {"parent": parent, "code": code}, secretary)
        assert data["createGridNode"]["errors"] == []

    # Half the events are committed on the doomed server itself, the last one right before SIGTERM.
    for i, code in enumerate(codes[:60]):
        await create(doomed if i % 2 else live_server, code)
    doomed.process.send_signal(signal.SIGTERM)

    async def meanwhile() -> None:  # one at a time, so their order is the codes' order
        for code in codes[60:70]:
            await create(live_server, code)

    others = asyncio.create_task(meanwhile())
    exit_code = await asyncio.to_thread(doomed.process.wait, 30)
    await others
    log = doomed.log.read_text()
    # uvicorn re-raises the signal once it has shut down gracefully, hence -SIGTERM.
    assert exit_code in (0, -signal.SIGTERM), log[-2000:]
    assert '"count": 4' in log and "websockets closed for shutdown" in log, log[-2000:]
    assert "Application shutdown complete" in log, log[-2000:]
    for s in subscribers:
        await s.stop()
        assert s.close_code == 4503, s.close_code

    # Nothing committed before the SIGTERM was left unpublished (the doomed server drained its
    # outbox on the way out; the other server may still be publishing its own newest ones).
    async with tenant_transaction(tenant.id) as conn:
        await enter_publisher_scope(conn)
        unpublished = await Event.filter(published_at=None)
    assert not {e.payload.get("code") for e in unpublished} & set(codes[:60])

    # Reconnect elsewhere with the last seq seen; the rest of the stream keeps coming.
    resumed = []
    for s in subscribers:
        again = Subscriber(
            live_server, s.token, area=s.area, after=s.seqs[-1] if s.events else None, protocol=s.protocol
        )
        await again.__aenter__()
        resumed.append((s, again))
    for code in codes[70:]:
        await create(live_server, code)
    for before, after in resumed:
        if before.token != secretary:
            await asyncio.sleep(0.5)
            assert before.events == [] and after.events == []  # the grid head's scope is building 3
            continue
        expected = len(codes) - len(before.events)
        await after.wait_for(expected, within=60)
        seen = [e["code"] for e in before.events + after.events]
        assert seen == codes, "every event, in order, none twice"
        await after.stop()
