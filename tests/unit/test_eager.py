"""Sends run at once, without a task, unless they must wait; a send that waits finishes in a
task, in order, and its failure is reported rather than raised at the fan-out."""

from __future__ import annotations

import asyncio

from redgrid.realtime.eager import run_eagerly


async def test_a_coroutine_that_never_waits_runs_now_without_a_task():
    done: list[int] = []

    async def send(n: int) -> None:
        done.append(n)

    assert run_eagerly(send(1), lambda exc: None) is None
    assert done == [1]


async def test_one_that_waits_finishes_in_a_task_in_the_order_it_was_started():
    writable = asyncio.Event()
    written: list[int] = []

    async def send(n: int) -> None:
        await writable.wait()  # like uvicorn's send while the socket's buffer is full
        written.append(n)

    tasks = [run_eagerly(send(n), lambda exc: None) for n in range(3)]
    assert all(task is not None for task in tasks) and written == []
    writable.set()
    await asyncio.gather(*tasks)
    assert written == [0, 1, 2]


async def test_failures_go_to_the_handler_whether_at_once_or_later():
    errors: list[str] = []
    later = asyncio.get_running_loop().create_future()

    async def fails_now() -> None:
        raise RuntimeError("closed")

    async def fails_later() -> None:
        await later
        raise RuntimeError("lost")

    assert run_eagerly(fails_now(), lambda exc: errors.append(str(exc))) is None
    task = run_eagerly(fails_later(), lambda exc: errors.append(str(exc)))
    assert task is not None
    later.set_result(None)
    await task
    assert errors == ["closed", "lost"]


async def test_a_future_that_fails_is_raised_inside_the_coroutine():
    outcome = asyncio.get_running_loop().create_future()
    seen: list[str] = []

    async def send() -> None:
        try:
            await outcome
        except ConnectionError as exc:
            seen.append(f"caught {exc}")

    task = run_eagerly(send(), lambda exc: seen.append("leaked"))
    outcome.set_exception(ConnectionError("reset"))
    await task
    assert seen == ["caught reset"]
