"""The one rule for text a person types: what characters it may hold and how long it may be.

Control characters (a NUL above all) break exports, logs and other people's screens; bidi
overrides, embeddings and isolates make a name read otherwise than it is stored; a name of
nothing but zero-width characters looks blank on every list. Multi-line texts (descriptions,
notes) keep their line feeds and tabs; nothing else keeps any control character.
"""

from __future__ import annotations

import re

from redgrid.platform.limits import get_limits

# C0 and C1 controls and DEL; \t and \n are allowed back in multi-line texts.
_CONTROL = "\x00-\x08\x0b-\x1f\x7f-\x9f"
_BIDI = "\u202a-\u202e\u2066-\u2069"
_BIDI_SET = frozenset(chr(c) for c in (*range(0x202A, 0x202F), *range(0x2066, 0x206A)))
_FORBIDDEN_LINE = re.compile(f"[{_CONTROL}\t\n{_BIDI}]")
_FORBIDDEN_MULTILINE = re.compile(f"[{_CONTROL}{_BIDI}]")
CHARACTER = "character: "  # how a character problem begins, so callers can tell it from a length one
# Invisible: count as blank when deciding whether a required text is empty.
ZERO_WIDTH = "\u200b\u200c\u200d\u2060\ufeff"


def is_blank(value: str) -> bool:
    return not value.strip().strip(ZERO_WIDTH).strip()


def bad_character(value: str, *, multiline: bool = False) -> str | None:
    """The first character `value` may not hold, if any."""
    found = (_FORBIDDEN_MULTILINE if multiline else _FORBIDDEN_LINE).search(value)
    return found.group() if found else None


def text_problem(value: str, limit: int | None = None, *, required: bool = True, multiline: bool = False) -> str | None:
    """Why `value` is refused, if it is: a forbidden character ("character: ..."), or blank when
    required, or longer than `limit` (a column's own length; a text without one is held to the
    name limit, or the text limit when multi-line)."""
    if not limit:
        limits = get_limits()
        limit = limits.text_chars if multiline else limits.name_chars
    char = bad_character(value, multiline=multiline)
    if char is not None:
        kind = "a text-direction control" if char in _BIDI_SET else "a control character"
        return f"{CHARACTER}{kind} (U+{ord(char):04X}) is not allowed"
    if required and is_blank(value):
        return f"required, at most {limit} characters"
    if len(value) > limit:
        return f"at most {limit} characters"
    return None
