"""The parsing process: what a parse returns or raises comes back, a parse that overruns its
memory or time, or dies, becomes `ParseFailed`, and the next parse works (a fresh process).
Also the spreadsheet checks that run in it, on hostile XLSX files built here."""

from __future__ import annotations

import asyncio
import io
import os
import time
import zipfile
from collections.abc import Iterator

import pytest
from openpyxl import Workbook

from redgrid.platform import sandbox
from redgrid.platform.errors import InvalidInput, UserError
from redgrid.platform.limits import get_limits
from redgrid.tenants.tabular import read_table


def echo(value: object) -> object:
    return value


def pid() -> int:
    return os.getpid()


def count_to(n: int) -> Iterator[int]:
    yield from range(n)


def refuse() -> None:
    raise InvalidInput(UserError("file", "EMPTY", "nothing in it"))


def hoard_memory() -> bytes:
    return bytes(2 * get_limits().parse_memory_bytes)


def spin() -> None:
    while True:
        pass


def sleep_forever() -> None:
    time.sleep(3600)


def die() -> None:
    os.abort()


def slow_large_items(n: int) -> Iterator[str]:
    """Messages larger than a pipe's default buffer, each a while after the last."""
    for i in range(n):
        time.sleep(0.02)
        yield str(i) * 300_000


@pytest.fixture
def one_second(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setenv("REDGRID_LIMIT_PARSE_SECONDS", "1")
    get_limits.cache_clear()
    yield
    monkeypatch.delenv("REDGRID_LIMIT_PARSE_SECONDS")
    get_limits.cache_clear()


async def test_results_and_refusals_come_back_from_a_fresh_process_each_time():
    assert await sandbox.run(echo, {"a": [1, "二"]}, lane="test") == {"a": [1, "二"]}
    assert await sandbox.run(pid, lane="test") != await sandbox.run(pid, lane="test") != os.getpid()
    assert [n async for n in await sandbox.stream(count_to, 5, lane="test")] == [0, 1, 2, 3, 4]
    with pytest.raises(InvalidInput) as refused:
        await sandbox.run(refuse, lane="test")
    assert refused.value.errors == [UserError("file", "EMPTY", "nothing in it")]


async def test_memory_time_and_crashes_become_parse_failed_and_the_next_parse_works(one_second):
    for parse, reason in ((hoard_memory, "memory"), (die, "memory"), (spin, "time"), (sleep_forever, "time")):
        started = time.monotonic()
        with pytest.raises(sandbox.ParseFailed) as failed:
            await sandbox.run(parse, lane="test")
        assert failed.value.reason == reason, parse
        assert time.monotonic() - started < 10, parse
        assert await sandbox.run(echo, "still here", lane="test") == "still here"


def test_a_stream_is_read_whole_under_uvloop():
    """uvicorn runs on uvloop, whose readers (libuv's poll) leave the pipe non-blocking and may
    wake with nothing to read: every message must still arrive whole, none taken for a death."""
    import uvloop

    async def read() -> list[int]:
        return [len(item) async for item in await sandbox.stream(slow_large_items, 8, lane="test")]

    for _ in range(3):
        assert uvloop.run(read()) == [len(str(i) * 300_000) for i in range(8)]


async def test_the_event_loop_runs_while_a_child_parses(one_second):
    ticks = 0

    async def tick() -> None:
        nonlocal ticks
        while True:
            await asyncio.sleep(0.01)
            ticks += 1

    ticker = asyncio.create_task(tick())
    with pytest.raises(sandbox.ParseFailed):
        await sandbox.run(spin, lane="test")
    ticker.cancel()
    assert ticks > 30  # a second of CPU in the child, the loop turning meanwhile


async def test_a_stream_dropped_unread_kills_its_child():
    items = await sandbox.stream(count_to, 10**9, lane="test")
    process = items._process
    del items
    await asyncio.to_thread(process.join, 5)
    assert not process.is_alive()


def xlsx(cells: dict[str, str], dimension: str | None = None) -> bytes:
    workbook = Workbook()
    for ref, value in cells.items():
        workbook.active[ref] = value
    buffer = io.BytesIO()
    workbook.save(buffer)
    if dimension is None:
        return buffer.getvalue()
    return rezip(
        buffer.getvalue(),
        lambda name, body: (
            body.replace(
                body[body.index(b"<dimension") : body.index(b"/>", body.index(b"<dimension")) + 2],
                f'<dimension ref="{dimension}"/>'.encode(),
            )
            if name.startswith("xl/worksheets/")
            else body
        ),
    )


def rezip(data: bytes, change, extra: dict[str, bytes] | None = None) -> bytes:  # type: ignore[no-untyped-def]
    source, out = zipfile.ZipFile(io.BytesIO(data)), io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for name in source.namelist():
            target.writestr(name, change(name, source.read(name)))
        for name, body in (extra or {}).items():
            target.writestr(name, body)
    return out.getvalue()


async def refusal(filename: str, data: bytes) -> UserError:
    with pytest.raises(InvalidInput) as refused:
        headers, lines = await read_table(filename, data)
        [line async for line in lines]
    (error,) = refused.value.errors
    return error


async def test_a_sheet_declaring_its_last_cell_is_refused_before_it_is_read():
    data = xlsx({"A1": "姓名", "XFD1048576": "x"})
    assert len(data) < 6000
    error = await refusal("x.xlsx", data)
    assert (error.field, error.code) == ("file", "TOO_LARGE") and "rows" in error.message


async def test_a_sheet_lying_about_its_size_is_refused_by_what_calamine_finds_or_by_the_memory_cap():
    small_lie = xlsx({"A1": "姓名", "BZ2": "x"}, dimension="A1:A1")  # 78 columns, within memory
    assert (await refusal("x.xlsx", small_lie)).code == "TOO_LARGE"
    big_lie = xlsx({"A1": "姓名", "XFD1048576": "x"}, dimension="A1:A1")  # 512 GiB laid out densely
    error = await refusal("x.xlsx", big_lie)
    assert error.code == "TOO_LARGE" and "memory" in error.message
    headers, lines = await read_table("ok.xlsx", xlsx({"A1": "姓名", "A3": "张三"}))
    assert headers == ["姓名"] and [line async for line in lines] == [(3, ["张三"])]


async def test_a_zip_bomb_and_broken_files_are_refused_with_a_typed_error():
    bomb = rezip(xlsx({"A1": "姓名"}), lambda name, body: body, {"xl/media/padding.bin": b"\0" * (64 * 2**20)})
    assert len(bomb) < 200_000
    assert (await refusal("x.xlsx", bomb)).code == "TOO_LARGE"
    assert (await refusal("x.xlsx", b"PK\x03\x04 not really a zip")).code == "UNREADABLE"
    assert (await refusal("x.csv", b"a,b\n" + b'"' + b"x" * 200_000 + b'"\n')).code == "UNREADABLE"  # field size
    assert (await refusal("x.csv", ",".join(["h"] * 100).encode())).code == "TOO_LARGE"  # columns


def _sends_a_class() -> object:
    return sandbox.ParseFailed  # anything but plain data: what a subverted parser would send to run code


async def test_a_child_that_sends_anything_but_data_is_refused() -> None:
    with pytest.raises(sandbox.ParseFailed) as failed:
        await sandbox.run(_sends_a_class, lane="test")
    assert failed.value.reason == "crashed"


def _environment() -> dict[str, str]:
    return dict(os.environ)


async def test_a_child_sees_none_of_the_servers_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("REDGRID_KEYCLOAK_CLIENT_SECRET", "s3cret")
    assert await sandbox.run(_environment, lane="test") == {}
