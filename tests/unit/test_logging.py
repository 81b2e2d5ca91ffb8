"""Error lines: the exception's type, place and frames, never its message; identical ones
collapsed into a count (platform/logging.py)."""

import json
import logging

import pytest
import structlog

from redgrid.platform import logging as redgrid_logging

ID_NUMBER = "110105194912310021"


@pytest.fixture
def lines(capsys, monkeypatch):
    """Configures logging as the app does, to this test's stdout; reads the lines written."""
    clock = [1000.0]
    monkeypatch.setattr(redgrid_logging.time, "monotonic", lambda: clock[0])

    def read() -> list[dict]:
        return [json.loads(line) for line in capsys.readouterr().out.splitlines()]

    read.clock = clock  # type: ignore[attr-defined]
    read.start = lambda: redgrid_logging.configure_logging("INFO", repeat_seconds=60)  # type: ignore[attr-defined]
    yield read
    logging.getLogger().handlers[:] = []


def fail() -> None:
    raise ValueError(f"duplicate key (id_number)=({ID_NUMBER})")


def test_an_exception_is_its_type_place_and_frames_not_its_message(lines):
    lines.start()
    try:
        fail()
    except ValueError as exc:
        structlog.get_logger("redgrid.test").error("resolver failed", exc_info=exc)
        logging.getLogger("uvicorn.error").error("Exception in ASGI application", exc_info=True)
    logged = lines()
    assert len(logged) == 2
    for line in logged:
        assert ID_NUMBER not in json.dumps(line, ensure_ascii=False)
        assert line["error"] == "ValueError"
        assert line["at"] == f"tests/unit/test_logging.py:{fail.__code__.co_firstlineno + 1}"
        assert line["frames"][-1].endswith(" fail") and len(line["frames"]) <= redgrid_logging.MAX_FRAMES
        assert "exc_info" not in line and "exception" not in line


def test_identical_errors_collapse_into_a_count(lines):
    lines.start()
    log = structlog.get_logger("redgrid.test")
    for _ in range(50):
        try:
            fail()
        except ValueError as exc:
            log.error("resolver failed", exc_info=exc)
        log.info("refused", code="FORBIDDEN", error_key=("refused", "FORBIDDEN"))
    log.info("refused", code="UNAUTHENTICATED", error_key=("refused", "UNAUTHENTICATED"))  # another key
    first = lines()
    assert [line["event"] for line in first] == ["resolver failed", "refused", "refused"]
    assert "error_key" not in first[1]
    lines.clock[0] += 61  # type: ignore[attr-defined]
    try:
        fail()
    except ValueError as exc:
        log.error("resolver failed", exc_info=exc)
    log.info("refused", code="FORBIDDEN", error_key=("refused", "FORBIDDEN"))
    later = lines()
    assert [line.get("repeated") for line in later] == [49, 49]
