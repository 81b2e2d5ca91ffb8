"""Unseen documents are prepared in a worker process, and a flood of one-off texts cannot push
the everyday ones out of the cache (graphql/core/documents.py)."""

from __future__ import annotations

import asyncio
import os
import signal

import pytest
from graphql import GraphQLError, GraphQLSyntaxError, print_ast

from redgrid.graphql.core.documents import WORKER_NICE, DocumentCache, PreparationFailed, Preparer
from redgrid.graphql.core.limits import prepare_document, prepare_off_loop
from redgrid.graphql.schema import schema

WORKER = "redgrid.graphql.schema:prepare_text"


def prepare_error(text: str) -> GraphQLError:
    """What preparing `text` on this thread raises."""
    with pytest.raises(GraphQLError) as raised:
        prepare_document(schema._schema, text)
    return raised.value


def test_a_flood_of_texts_used_once_does_not_evict_a_text_in_use() -> None:
    cache: DocumentCache[int] = DocumentCache(8)
    cache.put("everyday", 1)
    assert cache.get("everyday") == 1  # its second use: protected
    for n in range(1000):
        cache.put(f"junk {n}", n)
    assert cache.get("everyday") == 1
    assert len(cache) == 8


def test_the_cache_keeps_at_most_its_size_and_nothing_when_zero() -> None:
    cache: DocumentCache[int] = DocumentCache(4)
    for n in range(10):
        cache.put(str(n), n)
        assert cache.get(str(n)) == n
    assert len(cache) == 4
    assert cache.get("0") is None
    empty: DocumentCache[int] = DocumentCache(0)
    empty.put("a", 1)
    assert empty.get("a") is None and len(empty) == 0


def test_a_worker_prepares_what_the_loop_would() -> None:
    async def run() -> None:
        preparer = Preparer(WORKER, 1)
        try:
            query = "query Q { gridNodes(first: 2) { edges { node { name nope } } } }"
            text = f"{query} # worker"  # a text no other test has put in the cache
            off_loop = await prepare_off_loop(schema._schema, text, preparer)
            inline = prepare_document(schema._schema, query)
            assert print_ast(off_loop.document) == print_ast(inline.document)
            assert off_loop.cost == inline.cost and off_loop.paged_by_variable == inline.paged_by_variable
            assert [e.formatted for e in off_loop.errors] == [e.formatted for e in inline.errors]
            assert off_loop.errors[0].locations  # positions survive the trip
            with pytest.raises(GraphQLError) as refused:
                await preparer.run("{ " + "__typename " * 2000 + "}")
            assert refused.value.extensions == {"code": "TOO_LARGE"}
            with pytest.raises(GraphQLSyntaxError) as syntax:
                await preparer.run("{ x(")
            assert syntax.value.locations
            assert syntax.value.message == prepare_error("{ x(").message
        finally:
            preparer.close()

    asyncio.run(run())


def test_a_dead_worker_is_replaced_and_its_caller_answered() -> None:
    async def run() -> None:
        preparer = Preparer(WORKER, 1)
        try:
            await preparer.run("{ __typename }")
            pool = preparer._executor()
            for pid in list(pool._processes):  # the worker, killed as the kernel's OOM killer would
                os.kill(pid, signal.SIGKILL)
            with pytest.raises(PreparationFailed):
                await preparer.run("{ __typename }")
            document, errors, _, _ = await preparer.run("{ __typename }")
            assert errors == [] and document is not None
        finally:
            preparer.close()

    asyncio.run(run())


def test_a_worker_runs_below_the_loop() -> None:
    async def run() -> int:
        preparer = Preparer(WORKER, 1)
        try:
            loop = asyncio.get_running_loop()
            return await loop.run_in_executor(preparer._executor(), os.getpriority, os.PRIO_PROCESS, 0)
        finally:
            preparer.close()

    assert asyncio.run(run()) == min(19, os.getpriority(os.PRIO_PROCESS, 0) + WORKER_NICE)


def test_a_worker_ends_with_a_server_that_was_killed(tmp_path) -> None:
    """A server killed outright (no shutdown) leaves no worker behind: the worker is a child of
    the forkserver, so it watches the server itself."""
    import subprocess
    import sys
    import time

    script = tmp_path / "server.py"
    script.write_text(
        "import asyncio, os\n"
        "from redgrid.graphql.core.documents import Preparer\n"
        "async def main():\n"
        f"    preparer = Preparer({WORKER!r}, 1)\n"
        "    await preparer.run('{ __typename }')\n"
        "    print(*preparer._executor()._processes, flush=True)\n"
        "    os._exit(0)  # as SIGKILL would: no close, no atexit\n"
        "if __name__ == '__main__':\n"
        "    asyncio.run(main())\n"
    )
    out = tmp_path / "out"
    with out.open("w") as stdout:  # a file: the orphaned forkserver would hold a pipe open
        subprocess.run([sys.executable, str(script)], stdout=stdout, timeout=120, check=True)
    worker = int(out.read_text().split()[0])
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline:
        try:
            os.kill(worker, 0)
        except ProcessLookupError:
            return
        time.sleep(0.2)
    raise AssertionError(f"worker {worker} outlived its server")
