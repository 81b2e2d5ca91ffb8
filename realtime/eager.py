"""Running a coroutine now, without a task unless it has to wait.

A send on a websocket whose buffer has room finishes without ever suspending (uvicorn writes to
the transport at once). Fanning one event out to ten thousand sockets with a task per send
costs a task's creation and scheduling ten thousand times; stepping each send's coroutine
right here costs neither. Only a send that does suspend (a client that stopped reading, so its
buffer is full) is handed to a task to finish in, the way asyncio's own eager tasks (Python
3.12) do it.
"""

from __future__ import annotations

import asyncio
import functools
from collections.abc import Callable, Coroutine
from typing import Any

_finishing: set[asyncio.Task[None]] = set()  # strong references until done


def run_eagerly(coro: Coroutine[Any, Any, Any], on_error: Callable[[BaseException], None]) -> asyncio.Task[None] | None:
    """Step `coro` until it finishes or suspends; return the task that finishes it, if any.
    Its exceptions go to `on_error`, never to the caller."""
    try:
        waiting_for = coro.send(None)
    except StopIteration:
        return None
    except BaseException as exc:  # noqa: BLE001 - reported, like a task's exception
        on_error(exc)
        return None
    task = asyncio.get_running_loop().create_task(_finish(coro, waiting_for, on_error))
    _finishing.add(task)
    task.add_done_callback(_finishing.discard)
    return task


def _release(done: asyncio.Future[None], _: object) -> None:
    if not done.done():
        done.set_result(None)


async def _finish(coro: Coroutine[Any, Any, Any], waiting_for: Any, on_error: Callable[[BaseException], None]) -> None:
    """Drive `coro` on from where `run_eagerly` left it: each value it yields is a future it
    waits for (or None: a bare yield to the loop), exactly as a Task would treat it."""
    try:
        while True:
            if waiting_for is None:
                await asyncio.sleep(0)
            else:
                waiting_for._asyncio_future_blocking = False
                done: asyncio.Future[None] = asyncio.get_running_loop().create_future()
                waiting_for.add_done_callback(functools.partial(_release, done))
                await done  # its outcome is for `coro` to read when resumed, not for us
            waiting_for = coro.send(None)
    except StopIteration:
        return
    except asyncio.CancelledError:
        coro.close()
        raise
    except BaseException as exc:  # noqa: BLE001 - reported, like a task's exception
        on_error(exc)
