"""Resident ID-card numbers (GB 11643-1999): 6 digits of region, 8 of birth date, 3 of
sequence (odd = male), and a check character over the first 17.

Birth date and sex are read from the number rather than typed next to it, so the register can
never hold a number that contradicts them.
"""

from __future__ import annotations

import re
from datetime import date
from typing import NamedTuple

CHECK_CHARS = "10X98765432"
SHAPE = re.compile(r"[0-9]{17}[0-9X]")  # fullmatch; not \d, which takes other scripts' digits too
EARLIEST_BIRTH = date(1900, 1, 1)


class IdCard(NamedTuple):  # a tuple: made for each of an import's rows, a dataclass took 3 times as long
    number: str
    birth_date: date
    sex: str  # male | female


def check_char(first_17: str) -> str:
    """The check character of 17 ASCII digits: CHECK_CHARS[sum(digit * weight) % 11], where
    GB 11643 weighs digit i by 2**(17 - i) modulo 11 (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, ...).

    As 13 is 2 modulo 11, the weighted sum is, modulo 11, twice the digits read as a base-13
    number: one int() in C instead of 17 products, a
    fifth of the time for an import's 200,000 numbers (tests/unit/test_idcard.py compares the
    two for every position and digit)."""
    return CHECK_CHARS[2 * int(first_17, 13) % 11]


# A Chinese input method in full-width mode types these; nothing else is taken for a digit.
TYPED_AS_ASCII = str.maketrans(
    {**{chr(0xFF10 + d): str(d) for d in range(10)}, "Ｘ": "X", "ｘ": "X", " ": None, "\u3000": None, "\u00a0": None}
)


def normalise(number: str) -> str:
    """Full-width digits and X made ASCII, spaces dropped and a lower-case check 'x' raised:
    people type all three. A number already in shape is returned as it is, at a third of the cost."""
    return number if SHAPE.fullmatch(number) else number.translate(TYPED_AS_ASCII).upper()


def parse(number: str, today: date) -> IdCard:
    """The card behind `number`; ValueError with a reason a person can act on when invalid."""
    if not SHAPE.fullmatch(number):  # most arrive as they are stored: normalised only when not
        number = number.translate(TYPED_AS_ASCII).upper()
        if not SHAPE.fullmatch(number):
            raise ValueError("an ID-card number has 18 characters: 17 digits, then a digit or X")
    if check_char(number[:17]) != number[17]:
        raise ValueError("the check character does not match: a digit was mistyped")
    try:
        birth = date.fromisoformat(number[6:14])  # eight ASCII digits: ISO 8601's YYYYMMDD
    except ValueError:
        raise ValueError("characters 7 to 14 are not a birth date") from None
    if not EARLIEST_BIRTH <= birth <= today:
        raise ValueError("the birth date in the number is out of range")
    return IdCard(number, birth, "male" if number[16] in "13579" else "female")


def make(region: str, birth: date, sequence: int) -> str:
    """A valid number: `sequence` (0 to 999) odd for a man, even for a woman."""
    first_17 = f"{region}{birth:%Y%m%d}{sequence:03d}"
    return first_17 + check_char(first_17)
