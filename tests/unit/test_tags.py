"""The local date for ages: read from the clock once a day, and again when the day ends."""

from __future__ import annotations

import time
from datetime import date, datetime, timedelta

from redgrid.tenants.people import tags


def test_today_is_the_local_date_from_local_midnight_to_midnight(monkeypatch):
    now = time.time()
    monkeypatch.setattr(tags, "_today", (now - 60, now + 60, date(2000, 1, 1)))
    assert tags.today() == date(2000, 1, 1)  # inside the day: not read again
    for outside in ((now - 120, now - 1), (now + 1, now + 120)):  # the day ended, or the clock went back
        monkeypatch.setattr(tags, "_today", (*outside, date(2000, 1, 1)))
        day = tags.today()
        assert day == datetime.now(tags.LOCAL_TIME).date()
        starts, ends = (datetime.fromtimestamp(t, tags.LOCAL_TIME) for t in tags._today[:2])
        assert (starts.date(), ends.date()) == (day, day + timedelta(days=1))
        assert starts.time() == ends.time() == datetime.min.time()
