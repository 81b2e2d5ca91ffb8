"""Parsing what callers send in a child process that may die without taking the server along.

A spreadsheet or a photo is parsed by native code (calamine, libjpeg, libheif) whose memory
and time follow what the file claims, not its size: a 1.6 KB XLSX asked calamine for 512 GiB
and aborted the process. Here each parse runs in a fresh process, forked from a forkserver
(a clean process: never a fork of the server's threads and event loop), under
`RLIMIT_AS = parse_memory_bytes` and `RLIMIT_CPU = parse_seconds`; the server waits for it
without blocking its event loop, and a death (memory, CPU, signal, silence for longer than
`parse_seconds`) becomes `ParseFailed`, which callers answer as a typed error. The next parse
gets a fresh process: nothing is shared to break.

A parse is a module-level function (the child imports it by name). `run` returns what it
returns; `stream` iterates what a generator function yields, message by message through a
pipe, so the server works on the first items while the child produces the next (the pipe's
buffer holds the child back when the server falls behind). `InvalidInput` raised in the child
is raised again in the server with its errors.
"""

from __future__ import annotations

import asyncio
import contextlib
import fcntl
import gc
import io
import math
import multiprocessing
import os
import pickle
import resource
import signal
import struct
import termios
import weakref
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from multiprocessing.connection import Connection
from typing import Any, TypeVar

import structlog

from redgrid.platform.errors import InvalidInput, UserError
from redgrid.platform.limits import get_limits

T = TypeVar("T")
log = structlog.get_logger("redgrid.sandbox")
_CONTEXT = multiprocessing.get_context("forkserver")
# The main module first, as multiprocessing does by default, so children do not import it again.
_PRELOAD: list[str] = ["__main__", __name__]
_SLOTS: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, dict[str, asyncio.Semaphore]] = weakref.WeakKeyDictionary()
_TIME_SIGNALS = {signal.SIGXCPU, signal.SIGKILL}  # RLIMIT_CPU's soft and hard limits
_MEMORY_SIGNALS = {signal.SIGABRT, signal.SIGSEGV, signal.SIGBUS}  # Rust and C abort when malloc fails
PIPE_BYTES = 1024 * 1024  # Linux's pipe-max-size for unprivileged processes by default
_CONTEXT.set_forkserver_preload(list(_PRELOAD))


class ParseFailed(Exception):
    """The child died or overran: `reason` is "memory", "time" or "crashed"."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def start() -> None:
    """Start the forkserver now (blocking: call off the event loop), so that the first parse
    after a start does not wait for it to import the preloaded modules."""
    from multiprocessing import forkserver

    forkserver.ensure_running()


def process_context() -> multiprocessing.context.BaseContext:
    """The forkserver context, for pools of long-lived workers that must not be forks of the
    server's threads and event loop either (graphql/core/documents.py)."""
    return _CONTEXT


def preload(module: str) -> None:
    """Import `module` once in the forkserver, so each child starts with it (call at import
    time of the module that holds parse functions, before the first parse)."""
    if module not in _PRELOAD:
        _PRELOAD.append(module)
        _CONTEXT.set_forkserver_preload(list(_PRELOAD))


@dataclass(frozen=True)
class _Budget:
    memory_bytes: int
    cpu_seconds: float


def _child(conn: Connection, budget: _Budget, fn: Callable[..., Iterator[Any]], args: tuple[Any, ...]) -> None:
    """The child's whole life: limits, the parse, each result as one message. No garbage
    collection: a parse makes no cycles, and its memory is capped anyway."""
    gc.disable()
    os.environ.clear()  # the server's secrets (Keycloak, S3) are none of a parser's business
    resource.setrlimit(resource.RLIMIT_AS, (budget.memory_bytes, budget.memory_bytes))
    cpu = max(1, math.ceil(budget.cpu_seconds))
    resource.setrlimit(resource.RLIMIT_CPU, (cpu, cpu + 1))
    try:
        try:
            for item in fn(*args):
                conn.send_bytes(pickle.dumps(("item", item), pickle.HIGHEST_PROTOCOL))
            message: tuple[str, Any] = ("done", None)
        except InvalidInput as exc:
            message = ("invalid", exc.errors)
        except MemoryError:
            message = ("failed", "memory")
        except BaseException:  # noqa: BLE001 - a parser's failure (or Rust panic) on hostile bytes; no traceback
            message = ("failed", "crashed")  # on stderr: it may quote the file
        conn.send_bytes(pickle.dumps(message, pickle.HIGHEST_PROTOCOL))
    except (BrokenPipeError, MemoryError):
        pass  # the server stopped listening, or even the answer did not fit: the exit code says it
    finally:
        conn.close()


def _slots(lane: str) -> asyncio.Semaphore:
    """At most `parse_processes` children per lane (spreadsheets, photos) at once per process."""
    lanes = _SLOTS.setdefault(asyncio.get_running_loop(), {})
    if lane not in lanes:
        lanes[lane] = asyncio.Semaphore(get_limits().parse_processes)
    return lanes[lane]


def _widen(conn: Connection) -> None:
    """A pipe buffer that holds a whole message (Linux): the child writes it at once and parses
    on, instead of waiting for the server to read each 64 KiB, a turn of the scheduler each."""
    with contextlib.suppress(AttributeError, OSError):  # another system, or over pipe-max-size
        fcntl.fcntl(conn.fileno(), fcntl.F_SETPIPE_SZ, PIPE_BYTES)


def _waiting_bytes(fd: int) -> int:
    """How many bytes the pipe holds unread (Linux's FIONREAD)."""
    return struct.unpack("i", fcntl.ioctl(fd, termios.FIONREAD, b"\0\0\0\0"))[0]


def _kill(process: multiprocessing.process.BaseProcess, conn: Connection) -> None:
    conn.close()
    if process.is_alive():
        process.kill()


class Stream:
    """The items a child yields. Dropping it (or its end, or an error) kills the child."""

    def __init__(
        self,
        process: multiprocessing.process.BaseProcess,
        conn: Connection,
        wait_seconds: float,
        release: Callable[[], None],
    ) -> None:
        self._process, self._conn, self._wait = process, conn, wait_seconds
        self._finalizer = weakref.finalize(self, _kill, process, conn)
        self._release = weakref.finalize(self, release)
        self._done = False

    def __aiter__(self) -> Stream:
        return self

    async def __anext__(self) -> Any:
        if self._done:
            raise StopAsyncIteration
        try:
            kind, value = await self._receive()
        except BaseException:
            await self.aclose()
            raise
        if kind == "item":
            return value
        await self.aclose()
        if kind == "invalid":
            raise InvalidInput(*value)
        if kind == "failed":
            log.warning("parse failed in its process", reason=value)
            raise ParseFailed(value)
        raise StopAsyncIteration

    async def _receive(self) -> tuple[str, Any]:
        loop = asyncio.get_running_loop()
        fd = self._conn.fileno()
        deadline = loop.time() + self._wait
        while True:
            readable = loop.create_future()

            def wake(readable: asyncio.Future[None] = readable) -> None:
                if not readable.done():
                    readable.set_result(None)

            loop.add_reader(fd, wake)
            try:
                await asyncio.wait_for(readable, max(0.0, deadline - loop.time()))
            except TimeoutError:
                raise ParseFailed("time") from None
            finally:
                loop.remove_reader(fd)
            # uvloop (libuv's poll) may wake a reader with nothing to read: a message has begun
            # only when bytes wait in the pipe, its end only when the child has gone.
            if _waiting_bytes(fd) or not self._process.is_alive():
                break
        try:
            # libuv also leaves the pipe non-blocking, and a message the child is still writing
            # would then end in EAGAIN half-way: read it whole, which blocks no longer than a copy.
            os.set_blocking(fd, True)
            message = self._conn.recv_bytes()
        except (EOFError, OSError):
            raise ParseFailed(await self._cause_of_death()) from None
        try:
            return _DataUnpickler(io.BytesIO(message)).load()
        except pickle.UnpicklingError:
            log.warning("a parse process sent something other than data")
            raise ParseFailed("crashed") from None

    async def _cause_of_death(self) -> str:
        await asyncio.to_thread(self._process.join, 5)
        code = self._process.exitcode
        log.warning("parse process died", exitcode=code)
        if code is not None and code < 0 and -code in _TIME_SIGNALS:
            return "time"
        if code is not None and code < 0 and -code in _MEMORY_SIGNALS:
            return "memory"
        return "crashed"

    async def aclose(self) -> None:
        """Kill the child (if still running) and free its slot."""
        self._done = True
        self._finalizer()
        await asyncio.to_thread(self._process.join, 5)
        self._release()


async def stream(fn: Callable[..., Iterator[Any]], *args: Any, lane: str) -> Stream:
    """Start `fn(*args)` (a generator function) in a child; iterate the result for its items.
    A caller who finds every process of the lane busy for `parse_wait_seconds` is told BUSY:
    waiting callers each hold their upload in memory."""
    limits = get_limits()
    slots = _slots(lane)
    try:
        await asyncio.wait_for(slots.acquire(), limits.parse_wait_seconds)
    except TimeoutError:
        raise InvalidInput(UserError("file", "BUSY", "other files are being read: try again in a minute")) from None
    try:
        receiver, sender = _CONTEXT.Pipe(duplex=False)
        _widen(receiver)
        budget = _Budget(limits.parse_memory_bytes, limits.parse_seconds)
        process = _CONTEXT.Process(target=_child, args=(sender, budget, fn, args), daemon=True)
        # Starting sends the arguments (a whole upload) to the child: off the event loop.
        await asyncio.to_thread(process.start)
        sender.close()  # the child holds the only writer now: its death reads as EOF
    except BaseException:
        slots.release()
        raise
    return Stream(process, receiver, limits.parse_seconds, slots.release)


class _DataUnpickler(pickle.Unpickler):
    """Reads what a child sends as data only. The child runs native parsers on hostile bytes:
    were one subverted, a pickle naming any other class would run code in the server."""

    ALLOWED = frozenset(
        {
            ("builtins", "set"),
            ("builtins", "frozenset"),
            ("builtins", "complex"),
            ("datetime", "date"),
            ("datetime", "datetime"),
            ("datetime", "time"),
            ("datetime", "timedelta"),
            ("datetime", "timezone"),
            ("redgrid.platform.errors", "UserError"),
            ("redgrid.tenants.cases.photos", "Photo"),
        }
    )

    def find_class(self, module: str, name: str) -> Any:
        if (module, name) not in self.ALLOWED:
            raise pickle.UnpicklingError(f"a parsing process sent {module}.{name}")
        return super().find_class(module, name)


def _single(fn: Callable[..., Any], *args: Any) -> Iterator[Any]:
    yield fn(*args)


async def run(fn: Callable[..., T], *args: Any, lane: str) -> T:
    """`fn(*args)` in a child: its result, or its `InvalidInput`, or `ParseFailed`."""
    items = await stream(_single, fn, *args, lane=lane)
    try:
        async for item in items:
            return item
    finally:
        await items.aclose()
    raise ParseFailed("crashed")  # it ended without a result
