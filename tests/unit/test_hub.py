"""The hub's ordering rules on a log kept in memory and the in-memory channel layer (the
embedded default's): gaps longer than one log answer are filled whole, and a subscriber without
`after` starts at what the hub has seen; and each fan-out to subscribers is timed."""

from __future__ import annotations

import asyncio

from channels.layers import InMemoryChannelLayer

from redgrid.platform import metrics
from redgrid.realtime.hub import Hub, HubEvent

TOPIC = "t1.cases"
PAGE = 100  # the log answers at most this many at a time, like the real one's REPLAY_LIMIT


def event(seq: int) -> HubEvent:
    return HubEvent(topic=TOPIC, seq=seq, type="case.created", path=None, payload={}, at="")


class PagedLog:
    def __init__(self, head: int) -> None:
        self.events = [event(s) for s in range(1, head + 1)]

    async def since(self, topic: str, after: int, until: int | None) -> list[HubEvent]:
        return [e for e in self.events if e.seq > after and (until is None or e.seq <= until)][:PAGE]

    async def head(self, topic: str) -> int:
        return self.events[-1].seq if self.events else 0


async def take(stream, count: int) -> list[int]:
    return [(await asyncio.wait_for(anext(stream), 5)).seq for _ in range(count)]


async def test_a_gap_longer_than_one_log_answer_is_filled_whole():
    log = PagedLog(head=1)
    hub = Hub(InMemoryChannelLayer(), log)
    await hub.start()
    stream = hub.subscribe(TOPIC, after=0)
    assert await take(stream, 1) == [1]
    log.events += [event(s) for s in range(2, 352)]  # committed while this hub heard nothing
    hub._dispatch(event(351))
    assert await take(stream, 350) == list(range(2, 352))
    await stream.aclose()
    await hub.stop()


async def test_without_after_a_late_older_event_is_not_news():
    hub = Hub(InMemoryChannelLayer(), PagedLog(head=7))
    await hub.start()
    stream = hub.subscribe(TOPIC)
    first = asyncio.ensure_future(anext(stream))
    await asyncio.sleep(0)  # subscribed: the hub knows the head (7)
    hub._dispatch(event(7))  # delivered again, late
    hub._dispatch(event(8))
    assert (await asyncio.wait_for(first, 5)).seq == 8
    await stream.aclose()
    await hub.stop()


def fanouts() -> float:
    return next(s.value for m in metrics.EVENT_FANOUT.collect() for s in m.samples if s.name.endswith("_count"))


async def test_each_fan_out_to_subscribers_is_timed_and_no_other():
    hub = Hub(InMemoryChannelLayer(), PagedLog(head=0))
    await hub.start()
    before = fanouts()
    hub._dispatch(HubEvent(topic="t2.grid", seq=1, type="node.created", path=None, payload={}, at=""))  # nobody listens
    assert fanouts() == before
    stream = hub.subscribe(TOPIC, after=0)
    first = asyncio.ensure_future(anext(stream))
    await asyncio.sleep(0)
    hub._dispatch(event(1))
    assert (await asyncio.wait_for(first, 5)).seq == 1
    assert fanouts() == before + 1
    await stream.aclose()
    await hub.stop()
