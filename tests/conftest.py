"""The suite in parallel: `bash deploy/test.sh` runs it with pytest-xdist, `-n N --dist loadgroup`.

Each test module is one unit of work (its module-scoped street is built once, on one worker):
every test gets the mark `xdist_group(<its module>)` unless its module names a group of its own,
which runs the modules of that group one after another on one worker. A module does that when
it shares something that cannot be shared at the same time (tests/integration/test_auth.py).

A test marked `alone` stops a service every worker uses (test_realtime.py restarts Redis): it
waits until no other worker is in a test, and the others wait until it is done.
Without xdist (`-n 0`, or pytest run directly) neither does anything.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from filelock import ReadWriteLock


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers", "alone: the test stops a shared service; no other xdist worker runs a test meanwhile"
    )


@pytest.hookimpl(tryfirst=True)  # before xdist's own hook, which reads the marks (--dist loadgroup)
def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if item.get_closest_marker("xdist_group") is None:
            item.add_marker(pytest.mark.xdist_group(item.module.__name__ if item.module else item.nodeid))


@pytest.hookimpl(wrapper=True)
def pytest_runtest_protocol(item: pytest.Item) -> Iterator[None]:
    """Under xdist, each test (its setup, which may start servers, and its teardown included)
    holds the suite's lock shared, or alone for writing when it is marked `alone`."""
    if not os.environ.get("PYTEST_XDIST_WORKER"):
        return (yield)
    lock = ReadWriteLock(Path(tempfile.gettempdir()) / "redgrid-tests-services.lock")
    with lock.write_lock() if item.get_closest_marker("alone") else lock.read_lock():
        return (yield)
