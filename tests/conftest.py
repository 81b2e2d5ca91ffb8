"""The suite in parallel: `bash deploy/test.sh` runs it with pytest-xdist, `-n N --dist loadfile`
(each test module whole on one worker, so its module-scoped street is built once).

A test marked `alone` stops or changes something every worker uses (test_realtime.py restarts
Redis; test_auth.py disables demo users other modules sign in): it waits until no other worker
is in a test, and the others wait until it is done. Without xdist (`-n 0`, or pytest run
directly) the mark does nothing.
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
        "markers", "alone: the test stops or changes a shared service; no other xdist worker runs a test meanwhile"
    )


@pytest.hookimpl(wrapper=True)
def pytest_runtest_protocol(item: pytest.Item) -> Iterator[None]:
    """Under xdist, each test (its setup, which may start servers, and its teardown included)
    holds the suite's lock shared, or alone for writing when it is marked `alone`."""
    if not os.environ.get("PYTEST_XDIST_WORKER"):
        return (yield)
    lock = ReadWriteLock(Path(tempfile.gettempdir()) / "redgrid-tests-services.lock")
    with lock.write_lock() if item.get_closest_marker("alone") else lock.read_lock():
        return (yield)
