from datetime import UTC, date, datetime, timedelta

from redgrid.tenants.figures import trend_days


def test_the_trend_counts_local_days_oldest_first_with_today_until_now() -> None:
    now = datetime(2026, 3, 1, 17, 30, tzinfo=UTC)  # 01:30 on 2 March in Shanghai (UTC+8)
    spans = trend_days(now, 30)
    assert len(spans) == 30
    assert spans[-1][0] == date(2026, 3, 2) and spans[0][0] == date(2026, 2, 1)
    assert spans[-1][1] == datetime(2026, 3, 1, 16, 0, tzinfo=UTC) and spans[-1][2] == now
    for (day, start, end), (_, following, _) in zip(spans, spans[1:], strict=False):
        assert end == following == start + timedelta(days=1)  # contiguous, a whole day each
        assert start.astimezone(UTC).hour == 16 and day < date(2026, 3, 2)
    assert trend_days(now, 1) == [spans[-1]]
