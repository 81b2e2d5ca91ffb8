"""The local date for ages: read from the clock once a day, and again when the day ends."""

from __future__ import annotations

import time
from datetime import date, datetime, timedelta

from redgrid.tenants.people import tags


def test_today_is_the_local_date_until_local_midnight(monkeypatch):
    monkeypatch.setattr(tags, "_today", (time.time() + 60, date(2000, 1, 1)))
    assert tags.today() == date(2000, 1, 1)  # the day has not ended: not read again
    monkeypatch.setattr(tags, "_today", (time.time() - 1, date(2000, 1, 1)))
    day = tags.today()
    assert day == datetime.now(tags.LOCAL_TIME).date()
    ends = datetime.fromtimestamp(tags._today[0], tags.LOCAL_TIME)
    assert (ends.date(), ends.time()) == (day + timedelta(days=1), datetime.min.time())
