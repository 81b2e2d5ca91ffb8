"""The suite in parallel: `bash deploy/test.sh` runs it with pytest-xdist, `-n N --dist loadgroup`.

Each test module is one unit of work (its module-scoped street is built once, on one worker):
every test gets the mark `xdist_group(<its module>)` unless its module names a group of its own,
which runs the modules of that group one after another on one worker. A module does that when
it shares something that cannot be shared at the same time (tests/integration/test_auth.py).
Without xdist (`-n 0`, or pytest run directly) the marks do nothing.
"""

from __future__ import annotations

import pytest


@pytest.hookimpl(tryfirst=True)  # before xdist's own hook, which reads the marks (--dist loadgroup)
def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if item.get_closest_marker("xdist_group") is None:
            item.add_marker(pytest.mark.xdist_group(item.module.__name__ if item.module else item.nodeid))
