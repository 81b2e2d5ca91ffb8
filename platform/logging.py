"""JSON logs (structlog over the standard library) with the request id bound per request.

An error is one short line: its exception's type, where it was raised and its stack's frames
(file, line, function), never its message or locals, which may quote what a caller sent (a
document, an ID-card number, a token). Identical errors (same event, exception type and place,
or the same `error_key`) within REDGRID_LOG_REPEAT_SECONDS are counted, not written: the next
one after the window carries `repeated=N`, so a flood of bad requests cannot flood the log.
"""

from __future__ import annotations

import logging
import sys
import threading
import time
import traceback
from collections import OrderedDict
from pathlib import Path
from types import TracebackType
from typing import Any

import structlog
from structlog.typing import EventDict, Processor

# Frames kept of a stack, innermost last; error keys remembered at once (oldest forgotten).
MAX_FRAMES = 12
MAX_KEYS = 1000
_REPEATED = "redgrid_repeated"
_ROOT = Path(__file__).resolve().parents[1]


def _exception_of(exc_info: Any) -> BaseException | None:
    if exc_info is True:
        return sys.exc_info()[1]
    if isinstance(exc_info, BaseException):
        return exc_info
    if isinstance(exc_info, tuple) and len(exc_info) == 3:
        return exc_info[1]
    return None


def _frames(tb: TracebackType | None) -> list[traceback.FrameSummary]:
    return list(traceback.extract_tb(tb, limit=-MAX_FRAMES)) if tb else []


def _short(filename: str) -> str:
    """A path from the repository or library down, not the machine's."""
    path = Path(filename)
    parts = path.parts
    if "site-packages" in parts:
        return "/".join(parts[parts.index("site-packages") + 1 :])
    if path.is_relative_to(_ROOT):
        return str(path.relative_to(_ROOT))
    return "/".join(parts[-3:])


def _where(exc: BaseException) -> str:
    frames = _frames(exc.__traceback__)
    return f"{_short(frames[-1].filename)}:{frames[-1].lineno}" if frames else "?"


class CollapseRepeats(logging.Filter):
    """Drops an error seen within the window and counts it; the first after the window is
    let through with the count of those dropped."""

    def __init__(self, window_seconds: float) -> None:
        super().__init__()
        self._window = window_seconds
        self._seen: OrderedDict[tuple[Any, ...], list[float]] = OrderedDict()
        self._lock = threading.Lock()

    def filter(self, record: logging.LogRecord) -> bool:
        key = self._key(record)
        if key is None:
            return True
        now = time.monotonic()
        with self._lock:
            seen = self._seen.get(key)
            if seen is not None and now - seen[0] < self._window:
                seen[1] += 1
                return False
            if seen is not None and seen[1]:
                setattr(record, _REPEATED, int(seen[1]))
            self._seen[key] = [now, 0]
            self._seen.move_to_end(key)
            while len(self._seen) > MAX_KEYS:
                self._seen.popitem(last=False)
        return True

    @staticmethod
    def _key(record: logging.LogRecord) -> tuple[Any, ...] | None:
        if isinstance(record.msg, dict):  # from structlog, not yet rendered
            fields = record.msg
            if fields.get("error_key") is not None:
                return (record.name, fields.get("event"), fields["error_key"])
            exc = _exception_of(fields.get("exc_info"))
            event = fields.get("event")
        else:
            exc = _exception_of(record.exc_info)
            event = record.msg
        if exc is None:
            return None
        return (record.name, str(event)[:200], type(exc).__qualname__, _where(exc))


def brief(exc: BaseException) -> str:
    """An exception for a log line: its type and where it was raised, never its message (a
    database error's message quotes the row, ID-card numbers included)."""
    return f"{type(exc).__qualname__} at {_where(exc)}"


def summarize_exception(logger: Any, method: str, event_dict: EventDict) -> EventDict:
    """In place of structlog's format_exc_info: the type, the place and the frames, no message."""
    record = event_dict.get("_record")
    repeated = getattr(record, _REPEATED, None)
    if repeated:
        event_dict["repeated"] = repeated
    event_dict.pop("error_key", None)
    exc = _exception_of(event_dict.pop("exc_info", None))
    if exc is None:
        return event_dict
    event_dict["error"] = type(exc).__qualname__
    event_dict["at"] = _where(exc)
    event_dict["frames"] = [f"{_short(f.filename)}:{f.lineno} {f.name}" for f in _frames(exc.__traceback__)]
    cause = exc.__cause__ or exc.__context__
    if cause is not None:
        event_dict["cause"] = f"{type(cause).__qualname__} at {_where(cause)}"
    return event_dict


def configure_logging(level: str = "INFO", repeat_seconds: float = 60.0) -> None:
    shared: list[Processor] = [
        structlog.contextvars.merge_contextvars,
        structlog.stdlib.add_log_level,
        structlog.stdlib.add_logger_name,
        structlog.processors.TimeStamper(fmt="iso", utc=True),
    ]
    structlog.configure(
        processors=[*shared, structlog.stdlib.ProcessorFormatter.wrap_for_formatter],
        logger_factory=structlog.stdlib.LoggerFactory(),
        wrapper_class=structlog.stdlib.BoundLogger,
        cache_logger_on_first_use=True,
    )
    handler = logging.StreamHandler(sys.stdout)
    handler.addFilter(CollapseRepeats(repeat_seconds))
    handler.setFormatter(
        structlog.stdlib.ProcessorFormatter(
            processors=[
                summarize_exception,
                structlog.stdlib.ProcessorFormatter.remove_processors_meta,
                structlog.processors.JSONRenderer(ensure_ascii=False),
            ],
            foreign_pre_chain=shared,
        )
    )
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level.upper())
    # uvicorn's own access log would duplicate ours, unstructured.
    logging.getLogger("uvicorn.access").handlers[:] = []
    logging.getLogger("uvicorn.access").propagate = False
    # Libraries that log values (SQL with its parameters, URLs with subject ids) say only what fails.
    for name in ("tortoise", "aiosqlite", "asyncpg", "httpx", "httpcore", "keycloak"):
        logging.getLogger(name).setLevel(max(logging.WARNING, root.level))
    for name in ("uvicorn", "uvicorn.error"):
        logging.getLogger(name).handlers[:] = []
        logging.getLogger(name).propagate = True
