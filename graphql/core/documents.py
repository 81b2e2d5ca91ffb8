"""Where GraphQL documents are parsed and validated, and which ones are kept.

Why: bench/abuse.py showed an everyday request waiting, on the one event loop, behind the
20–70 ms validations of documents the abusers send distinct on purpose, and those same
documents pushed the everyday ones out of a plain LRU cache, so they were parsed again and
again. So:

- `DocumentCache` is a segmented LRU: a text enters on probation and is protected from its
  second use on. A flood of texts used once churns probation and never evicts what is in
  everyday use.
- `Preparer` parses and validates a text the cache has not seen in a worker process at a lower
  CPU priority (`graphql_prepare_workers`, 0 for on the loop). The loop only unpickles the
  result, so while an abuser's document is validated the loop goes on answering everyone
  else, and the kernel gives the loop the CPU first. A worker that dies (it should not: the
  limits bound every document) is replaced, and its callers get an error, not a hang.
"""

from __future__ import annotations

import asyncio
import importlib
import os
import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from typing import Any, Generic, TypeVar

from graphql import GraphQLError, GraphQLSyntaxError, Source

T = TypeVar("T")
WORKER_NICE = 10  # below the server's loop: the kernel lets it run when the loop has nothing to do
PROTECTED_SHARE = 0.75  # of the cache's entries, for texts used more than once
SERVER_CHECK_SECONDS = 1.0  # how often a worker looks whether the server that started it is alive


class DocumentCache(Generic[T]):
    """At most `size` values by text, in two segments (module docstring)."""

    def __init__(self, size: int) -> None:
        self.size = size
        self._protected_size = int(size * PROTECTED_SHARE)
        self._probation: OrderedDict[str, T] = OrderedDict()
        self._protected: OrderedDict[str, T] = OrderedDict()

    def __len__(self) -> int:
        return len(self._probation) + len(self._protected)

    def get(self, text: str) -> T | None:
        if text in self._protected:
            self._protected.move_to_end(text)
            return self._protected[text]
        value = self._probation.pop(text, None)
        if value is not None:  # its second use: protected, the oldest protected back on probation
            self._protected[text] = value
            while len(self._protected) > self._protected_size:
                demoted, old = self._protected.popitem(last=False)
                self._probation[demoted] = old
            self._trim()
        return value

    def put(self, text: str, value: T) -> None:
        if self.size <= 0 or text in self._protected:
            return
        self._probation[text] = value
        self._probation.move_to_end(text)
        self._trim()

    def _trim(self) -> None:
        while len(self) > self.size and self._probation:
            self._probation.popitem(last=False)


def _start_worker(server: int) -> None:
    os.nice(WORKER_NICE)
    # Forked from the forkserver, not the server: were the server killed, nothing would end us.
    threading.Thread(target=_end_with, args=(server,), daemon=True, name="end-with-server").start()


def _end_with(server: int) -> None:
    while True:
        time.sleep(SERVER_CHECK_SECONDS)
        try:
            os.kill(server, 0)
        except ProcessLookupError:
            os._exit(0)


def _function(function_ref: str) -> Callable[[str], Any]:
    module, name = function_ref.split(":")
    function: Callable[[str], Any] = getattr(importlib.import_module(module), name)
    return function


def _run_in_worker(function_ref: str, text: str) -> Any:
    """`module:function` applied to `text`, with a refusal returned rather than raised: a
    GraphQLError does not keep its extensions and positions through pickling."""
    try:
        return _function(function_ref)(text)
    except GraphQLSyntaxError as error:  # its own type: what the caller is told depends on it
        return _Refusal(error.message, error.extensions, error.positions, syntax=True)
    except GraphQLError as error:
        return _Refusal(error.message, error.extensions, error.positions)


class _Refusal:
    def __init__(self, message: str, extensions: Any, positions: Any, *, syntax: bool = False) -> None:
        self.message, self.extensions, self.positions, self.syntax = message, extensions, positions, syntax

    def error(self, text: str) -> GraphQLError:
        source = Source(text)
        if self.syntax and self.positions:
            return GraphQLSyntaxError(source, self.positions[0], self.message.removeprefix("Syntax Error: "))
        return GraphQLError(self.message, source=source, positions=self.positions, extensions=self.extensions)


class PreparationFailed(Exception):
    """The worker process died while preparing a document."""


class Preparer:
    """Runs `module:function` (importable in a fresh process) on texts in worker processes,
    lazily started, or on the calling thread when `workers` is 0 (module docstring)."""

    def __init__(self, function_ref: str, workers: int) -> None:
        self.function_ref = function_ref
        self.workers = workers
        self._pool: ProcessPoolExecutor | None = None

    def _executor(self) -> ProcessPoolExecutor:
        if self._pool is None:
            from redgrid.platform import sandbox  # its forkserver: a clean process, never a fork of the loop

            self._pool = ProcessPoolExecutor(
                max_workers=self.workers,
                mp_context=sandbox.process_context(),
                initializer=_start_worker,
                initargs=(os.getpid(),),
            )
        return self._pool

    async def run(self, text: str) -> Any:
        """What the function returns for `text`; GraphQLError when it refuses it."""
        if self.workers <= 0:
            return _function(self.function_ref)(text)
        pool = self._executor()
        try:
            result = await asyncio.get_running_loop().run_in_executor(pool, _run_in_worker, self.function_ref, text)
        except BrokenProcessPool:
            if self._pool is pool:
                self._pool = None
                pool.shutdown(wait=False, cancel_futures=True)
            raise PreparationFailed("the document could not be prepared") from None
        if isinstance(result, _Refusal):
            raise result.error(text)
        return result

    def close(self) -> None:
        if self._pool is not None:
            self._pool.shutdown(wait=False, cancel_futures=True)
            self._pool = None
