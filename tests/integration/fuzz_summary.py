"""The fuzz test's counts in pytest's closing summary: CI runs pytest with its output captured,
so a `print` in the test would never reach the log; the terminal summary always does."""

from __future__ import annotations

import pytest

FUZZ_SUMMARY = pytest.StashKey[list[str]]()


def record(config: pytest.Config, lines: list[str]) -> None:
    """Keep `lines` for the summary (a rerun in the same session adds to them)."""
    config.stash.setdefault(FUZZ_SUMMARY, []).extend(lines)


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter, config: pytest.Config) -> None:
    lines = config.stash.get(FUZZ_SUMMARY, [])
    if lines:
        terminalreporter.section("fuzz (Schemathesis)")
        for line in lines:
            terminalreporter.write_line(line)
