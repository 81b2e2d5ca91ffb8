"""The seeding clock: set only inside `frozen_at`, for the task that set it, aware only."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from redgrid.platform import clock


def test_the_clock_is_real_time_but_inside_frozen_at():
    moment = datetime(2026, 9, 1, 8, 30, tzinfo=UTC)
    with clock.frozen_at(moment):
        assert clock.now() == moment
    assert abs(clock.now() - datetime.now(UTC)) < timedelta(seconds=5)
    with pytest.raises(ValueError), clock.frozen_at(datetime(2026, 9, 1)):  # naive: stored wrong
        pass
