"""Resident tags: the fixed vocabulary, the age tags derived from the birth date, and the
condition that finds residents carrying a tag.

Ages are counted on the local calendar (China Standard Time), not the server's UTC date, so a
resident turns 60 on his birthday in Nanjing, not eight hours later.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from tortoise.expressions import Q

from redgrid.tenants.people.models import TYPED_TAGS, Resident

LOCAL_TIME = ZoneInfo("Asia/Shanghai")
AGE_TAGS = {"over_60": 60, "over_80": 80}
TAGS = tuple(AGE_TAGS) + TYPED_TAGS


_today = (0.0, 0.0, date.min)  # (the POSIX times at which the day starts and ends, the day)


def today() -> date:
    """The local date, read from the clock once a day (and again if the clock is set back out
    of it): an import asks it for each of 200,000 rows, and a time zone's now() was 3% of the
    import's time."""
    global _today
    if not _today[0] <= time.time() < _today[1]:
        day = datetime.now(LOCAL_TIME).date()
        start, end = (
            datetime.combine(d, datetime.min.time(), LOCAL_TIME).timestamp() for d in (day, day + timedelta(days=1))
        )
        _today = (start, end, day)
    return _today[2]


def years_before(day: date, years: int) -> date:
    """The same calendar day `years` earlier (28 February for 29 February in a common year)."""
    try:
        return day.replace(year=day.year - years)
    except ValueError:
        return day.replace(year=day.year - years, day=28)


def age_on(birth: date, day: date) -> int:
    return day.year - birth.year - ((day.month, day.day) < (birth.month, birth.day))


def tags_of(resident: Resident, day: date) -> list[str]:
    derived = []
    if resident.birth_date is not None:
        age = age_on(resident.birth_date, day)
        derived = [tag for tag, years in AGE_TAGS.items() if age >= years]
    return derived + [tag for tag in TYPED_TAGS if getattr(resident, tag)]


def age_sql(column: str, day: str) -> str:
    """`age_on` as a SQL expression: the age on the SQL date `day` of a birth date. (age()
    borrows a year exactly when the birthday is still to come: the same rule.)"""
    return f"date_part('year', age({day}, {column}))::int"


def tags_sql(alias: str, threshold: Callable[[int], str]) -> list[tuple[str, str]]:
    """`tags_of` as SQL: (tag, the condition under which resident row `alias` carries it), in
    `tags_of`'s order. `threshold(years)` is the SQL date `years_before` today: an age of at
    least `years` is a birth on or before it (as in `tag_condition`), a cheaper test than the
    age itself (2 ms a page of 300 members)."""
    return [(tag, f"{alias}.birth_date <= {threshold(years)}") for tag, years in AGE_TAGS.items()] + [
        (tag, f"{alias}.{tag}") for tag in TYPED_TAGS
    ]


def tag_condition(tag: str, day: date) -> Q:
    """Residents carrying `tag` on `day` (an age tag: born on or before its threshold)."""
    if tag in AGE_TAGS:
        return Q(birth_date__lte=years_before(day, AGE_TAGS[tag]))
    if tag not in TYPED_TAGS:
        raise ValueError(f"unknown tag {tag!r}")
    typed: dict[str, Any] = {tag: True}
    return Q(**typed)
