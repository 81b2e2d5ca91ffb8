from datetime import UTC, datetime, timedelta
from types import SimpleNamespace

from redgrid.tenants.cases.sla import next_deadline

T = datetime(2026, 12, 7, 9, 0, tzinfo=UTC)


def case(**met: datetime | None) -> SimpleNamespace:
    return SimpleNamespace(
        on_scene_due=T + timedelta(minutes=10),
        resolve_due=T + timedelta(hours=1),
        answer_due=T + timedelta(days=1),
        on_scene_at=met.get("on_scene_at"),
        resolved_at=met.get("resolved_at"),
        answered_at=met.get("answered_at"),
        closed_at=met.get("closed_at"),
    )


def test_the_wall_counts_down_to_the_first_unmet_milestone() -> None:
    assert next_deadline(case()) == ("on_scene", T + timedelta(minutes=10))
    assert next_deadline(case(on_scene_at=T)) == ("resolve", T + timedelta(hours=1))
    assert next_deadline(case(on_scene_at=T, resolved_at=T)) == ("answer", T + timedelta(days=1))
    # a milestone met out of order does not hide an earlier unmet one
    assert next_deadline(case(resolved_at=T)) == ("on_scene", T + timedelta(minutes=10))


def test_nothing_to_count_down_to_once_closed_or_all_met() -> None:
    assert next_deadline(case(closed_at=T)) is None
    assert next_deadline(case(on_scene_at=T, resolved_at=T, answered_at=T)) is None
