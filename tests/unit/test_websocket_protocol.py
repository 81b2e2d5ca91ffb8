"""The lighter uvicorn websocket protocol (realtime/websocket_protocol.py): its receive queue and
write flag behave as the asyncio primitives they replace, and a real uvicorn serving it
talks to a real client, with the handshake dropped once it is done."""

from __future__ import annotations

import asyncio
from typing import Any

from websockets.asyncio.client import connect

from redgrid.realtime.websocket_protocol import LeanWebSocketProtocol, ReceiveQueue, Writable

from .served import served


async def test_queue_is_first_in_first_out_and_wakes_a_waiting_reader() -> None:
    queue = ReceiveQueue()
    queue.put_nowait(1)
    queue.put_nowait(2)
    assert not queue.empty()
    assert [await queue.get(), await queue.get()] == [1, 2]
    assert queue.empty()
    reader = asyncio.create_task(queue.get())
    await asyncio.sleep(0)
    assert not reader.done()
    queue.put_nowait(3)
    assert await asyncio.wait_for(reader, 1) == 3


async def test_two_readers_get_one_item_each() -> None:
    queue = ReceiveQueue()
    readers = [asyncio.create_task(queue.get()) for _ in range(2)]
    await asyncio.sleep(0)
    queue.put_nowait("a")
    queue.put_nowait("b")
    assert sorted(await asyncio.wait_for(asyncio.gather(*readers), 1)) == ["a", "b"]


async def test_a_reader_cancelled_after_its_wake_up_passes_the_item_on() -> None:
    queue = ReceiveQueue()
    first, second = asyncio.create_task(queue.get()), asyncio.create_task(queue.get())
    await asyncio.sleep(0)
    queue.put_nowait("kept")  # wakes `first`...
    first.cancel()  # ...which is cancelled before it runs
    assert await asyncio.wait_for(second, 1) == "kept"
    assert first.cancelled() and queue.empty()


async def test_a_cancelled_reader_leaves_nothing_behind() -> None:
    queue = ReceiveQueue()
    reader = asyncio.create_task(queue.get())
    await asyncio.sleep(0)
    reader.cancel()
    await asyncio.gather(reader, return_exceptions=True)
    queue.put_nowait("later")
    assert await queue.get() == "later"
    assert queue._waiters is None


async def test_writable_waits_until_set() -> None:
    writable = Writable()
    assert not writable.is_set()
    waiting = asyncio.create_task(writable.wait())
    await asyncio.sleep(0)
    assert not waiting.done()
    writable.set()
    assert await asyncio.wait_for(waiting, 1) is True
    writable.clear()
    assert not writable.is_set()
    writable.set()
    assert await writable.wait() is True


async def test_writable_wakes_every_writer_and_never_one_past_a_cleared_flag() -> None:
    writable = Writable()
    writers = [asyncio.create_task(writable.wait()) for _ in range(2)]
    await asyncio.sleep(0)
    writable.set()
    assert await asyncio.wait_for(asyncio.gather(*writers), 1) == [True, True]

    writable.clear()
    first = asyncio.create_task(writable.wait())
    await asyncio.sleep(0)
    second = asyncio.create_task(writable.wait())  # runs before `first` is woken below
    writable.set()  # resume writing...
    writable.clear()  # ...and pause again before anyone wrote
    first.cancel()  # woken, then cancelled: it must not hand its wake-up to `second`
    for _ in range(5):
        await asyncio.sleep(0)
    assert first.cancelled() and not second.done()
    writable.set()
    assert await asyncio.wait_for(second, 1) is True


async def test_real_uvicorn_serves_it_and_drops_the_handshake() -> None:
    seen: dict[str, Any] = {}

    async def app(scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] != "websocket":
            return
        assert (await receive())["type"] == "websocket.connect"
        await send({"type": "websocket.accept"})
        protocol = send.__self__
        parsed = protocol.conn.parser.gi_frame.f_locals["request"]  # what websockets' parser keeps
        seen.update(
            protocol=type(protocol),
            request=protocol.request,
            response=protocol.response,
            parsed_headers=len(parsed.headers),
        )
        while (message := await receive())["type"] == "websocket.receive":
            await send({"type": "websocket.send", "text": message["text"].upper()})
        seen["closed"] = message["type"]

    async with served(app, LeanWebSocketProtocol) as port:
        async with connect(f"ws://127.0.0.1:{port}/", additional_headers={"X-Big": "x" * 2000}) as client:
            for word in ("ping", "grid", "x" * 70_000):
                await client.send(word)
                assert await client.recv() == word.upper()
        for _ in range(100):
            if "closed" in seen:
                break
            await asyncio.sleep(0.01)
        assert seen == {
            "protocol": LeanWebSocketProtocol,
            "request": None,
            "response": None,
            "parsed_headers": 0,
            "closed": "websocket.disconnect",
        }
