"""The masking tables of tenants/people/privacy.py, without a database: which reach, which edits
and which exposure of ID numbers, phones and birth dates each role gets; the two masks on
typical and edge inputs; and the SQL twins of the masks agreeing with the Python masks.

The SQL twins use PostgreSQL's left() and right(), which SQLite lacks (and parses as the keywords
of LEFT and RIGHT JOIN). The twins are run in the standard library's SQLite with those two
registered as Python functions that follow PostgreSQL's documented semantics (n characters from
the start or the end; a negative n: all but |n|; NULL in, NULL out), and their calls quoted
("left"(...)) so that SQLite reads them as function names: the one change made to the SQL text.
Everything else in the twins (CASE, length, ||, =, NULL) is SQLite's own. The same twins run in
the real PostgreSQL in tests/integration/test_compiled_pages.py.
"""

from __future__ import annotations

import itertools
import re
import sqlite3
from collections.abc import Callable, Iterator
from datetime import UTC, date, datetime
from types import SimpleNamespace
from typing import cast

import pytest

from redgrid.platform.auth.identity import Identity
from redgrid.platform.context import Forbidden, NotAuthenticated, RequestContext
from redgrid.platform.demo_users import ROLES, TENANT_ROLES
from redgrid.tenants.people import idcard, privacy
from redgrid.tenants.people.models import TYPED_TAGS, Resident
from redgrid.tenants.people.privacy import Area, Exposure, Reach, Rule, mask_id_number, mask_phone

FULL, MASKED, HIDDEN = Exposure.FULL, Exposure.MASKED, Exposure.HIDDEN
ALL_AREAS = frozenset(Area)


def ctx(*roles: str) -> RequestContext:
    return RequestContext(Identity("sub-1", "someone", frozenset(roles), "jinshui", "jiangning"))


# ---- the role table ----

# role → (reach, edits, ID-card number, phone), as the module's docstring and docs/domain.md state it.
EXPECTED: dict[str, tuple[Reach, frozenset[Area], Exposure, Exposure]] = {
    "secretary": (Reach.GRID, ALL_AREAS, FULL, FULL),
    "grid-head": (Reach.GRID, frozenset({Area.RESIDENTS, Area.PARTY, Area.VOLUNTEERS}), FULL, FULL),
    "grid-worker": (Reach.GRID, frozenset({Area.RESIDENTS, Area.VOLUNTEERS}), MASKED, FULL),
    "dept-staff": (Reach.NONE, frozenset(), HIDDEN, MASKED),
    "volunteer": (Reach.OWN, frozenset(), HIDDEN, MASKED),
    "unit-contact": (Reach.NONE, frozenset(), HIDDEN, HIDDEN),
    # Platform and district admins work above the tenants: no register, no personal data.
    "platform-admin": (Reach.NONE, frozenset(), HIDDEN, HIDDEN),
    "district-admin": (Reach.NONE, frozenset(), HIDDEN, HIDDEN),
}


def test_the_expected_table_names_every_known_role() -> None:
    assert set(EXPECTED) == set(ROLES)


def test_only_the_tenant_roles_have_a_rule_of_their_own() -> None:
    assert set(privacy.RULES) == set(TENANT_ROLES)


@pytest.mark.parametrize("role", sorted(EXPECTED))
def test_each_role_gets_its_reach_edits_and_exposures(role: str) -> None:
    reach, edits, id_number, phone = EXPECTED[role]
    assert privacy.rule_for(ctx(role)) == Rule(reach, edits, id_number, phone)


@pytest.mark.parametrize("roles", [(), ("auditor",), ("SECRETARY",), ("admin",)])
def test_no_role_or_an_unknown_role_gets_nothing(roles: tuple[str, ...]) -> None:
    assert privacy.rule_for(ctx(*roles)) == privacy.NOTHING
    assert privacy.NOTHING == Rule(Reach.NONE, frozenset(), HIDDEN, HIDDEN)


def test_an_anonymous_caller_is_asked_to_authenticate_not_given_nothing() -> None:
    with pytest.raises(NotAuthenticated):
        privacy.rule_for(RequestContext(None))


@pytest.mark.parametrize(("first", "second"), list(itertools.combinations(sorted(EXPECTED), 2)))
def test_two_roles_get_column_by_column_the_most_of_either(first: str, second: str) -> None:
    a, b = EXPECTED[first], EXPECTED[second]
    combined = privacy.rule_for(ctx(first, second))
    assert combined.reach == max(a[0], b[0])
    assert combined.edits == a[1] | b[1]
    assert combined.id_number == max(a[2], b[2])
    assert combined.phone == max(a[3], b[3])


def test_a_grid_worker_who_is_also_a_volunteer_still_sees_numbers_masked_and_phones_full() -> None:
    rule = privacy.rule_for(ctx("grid-worker", "volunteer"))
    assert (rule.reach, rule.id_number, rule.phone) == (Reach.GRID, MASKED, FULL)


def test_a_staff_member_who_is_also_a_volunteer_reaches_his_own_pairings_only() -> None:
    rule = privacy.rule_for(ctx("dept-staff", "volunteer"))
    assert (rule.reach, rule.edits, rule.id_number, rule.phone) == (Reach.OWN, frozenset(), HIDDEN, MASKED)


def test_exposures_and_reaches_are_ordered_so_that_max_means_the_most() -> None:
    assert HIDDEN < MASKED < FULL
    assert Reach.NONE < Reach.OWN < Reach.GRID


@pytest.mark.parametrize("role", sorted(EXPECTED))
def test_only_grid_reach_opens_the_registers_and_the_rest_are_refused_not_emptied(role: str) -> None:
    opens = EXPECTED[role][0] is Reach.GRID
    assert privacy.sees_registers(ctx(role)) is opens
    if opens:
        privacy.require_registers(ctx(role))
    else:
        with pytest.raises(Forbidden):
            privacy.require_registers(ctx(role))


@pytest.mark.parametrize(("role", "area"), list(itertools.product(sorted(EXPECTED), Area)))
def test_each_role_edits_exactly_the_areas_of_its_row(role: str, area: Area) -> None:
    if area in EXPECTED[role][1]:
        assert privacy.require_edit(ctx(role), area) == privacy.rule_for(ctx(role))
    else:
        with pytest.raises(Forbidden, match=area.value):
            privacy.require_edit(ctx(role), area)


def test_a_role_that_edits_a_register_also_reaches_it() -> None:
    for rule in privacy.RULES.values():
        assert not rule.edits or rule.reach is Reach.GRID, rule


def test_a_role_that_sees_numbers_in_some_form_also_sees_phones_at_least_as_well() -> None:
    """The ID number is the more sensitive field: no role sees it better than the phone."""
    for role, rule in privacy.RULES.items():
        assert rule.id_number <= rule.phone, role


# ---- the ID-number mask ----

NUMBERS_18 = [
    "11010519491231002X",  # X check character
    idcard.make("320115", date(1948, 2, 29), 37),
    idcard.make("320115", date(2000, 1, 1), 0),
    idcard.make("650102", date(1999, 12, 31), 998),
]


@pytest.mark.parametrize("number", NUMBERS_18)
def test_the_id_mask_hides_exactly_the_eight_birth_date_digits_of_an_18_character_number(number: str) -> None:
    masked = mask_id_number(number)
    assert masked == number[:6] + "****" + number[14:]
    assert len(masked) == 14
    assert number[6:14] not in masked


def test_the_id_mask_keeps_an_x_check_character() -> None:
    assert mask_id_number("11010519491231002X").endswith("002X")


def test_the_id_mask_of_a_15_digit_old_number_shows_a_birth_day_digit_but_such_numbers_are_never_stored() -> None:
    """A first-generation number is 6 region + YYMMDD + 3 sequence: its last four characters
    include the day's second digit. The register refuses these numbers (idcard.parse wants 18),
    so no stored number is ever masked this way."""
    old = "110105491231002"  # born 1949-12-31
    assert mask_id_number(old) == "110105****1002"
    assert old[11] == "1"  # the second digit of the day 31, shown
    with pytest.raises(ValueError, match="18 characters"):
        idcard.parse(old, date(2025, 1, 1))


@pytest.mark.parametrize(
    ("number", "masked"),
    [
        ("", "****"),
        ("1", "1****1"),
        ("1234567890", "123456****7890"),  # ten characters: every one still shown
        ("12345", "12345****2345"),
    ],
)
def test_the_id_mask_of_a_string_under_eleven_characters_hides_nothing_so_only_parsed_numbers_are_masked(
    number: str, masked: str
) -> None:
    assert mask_id_number(number) == masked
    assert all(ch in masked for ch in number)


# ---- the phone mask ----


@pytest.mark.parametrize(
    ("phone", "masked"),
    [
        ("13912345678", "139****5678"),  # a mobile
        ("+8613912345678", "+86****5678"),
        ("02552123456", "025****3456"),  # a landline with its area code
        ("12345678901", "123****8901"),  # eleven: the shortest shown as head and tail
        ("1234567890", "****90"),  # ten: only the last two
        ("52123456", "****56"),  # a landline without its area code
        ("12", "****12"),
        ("1", "****1"),
        ("", ""),
    ],
)
def test_the_phone_mask_shows_head_and_tail_from_eleven_characters_and_only_the_last_two_below(
    phone: str, masked: str
) -> None:
    assert mask_phone(phone) == masked


@pytest.mark.parametrize("phone", ["13912345678", "12345678", "1234567", "12", "1"])
def test_a_masked_phone_always_carries_the_four_stars(phone: str) -> None:
    assert "****" in mask_phone(phone)


@pytest.mark.parametrize("length", range(1, 16))
def test_a_masked_phone_hides_at_least_four_characters_or_all_but_two(length: int) -> None:
    phone = "".join(str(i % 10) for i in range(length))
    shown = len(mask_phone(phone).replace("****", ""))
    assert shown <= max(length - 4, min(length, 2))


# ---- the SQL twins ----


def in_sqlite(sql: str) -> str:
    """`sql` with its left( and right( calls quoted, the only change SQLite needs."""
    return re.sub(r"\b(left|right)\(", r'"\1"(', sql)


def _pg_left(text: str | None, n: int | None) -> str | None:
    if text is None or n is None:
        return None
    return text[:n] if n >= 0 else text[: max(len(text) + n, 0)]


def _pg_right(text: str | None, n: int | None) -> str | None:
    if text is None or n is None:
        return None
    if n >= 0:
        return text[len(text) - n :] if n < len(text) else text
    return text[-n:]


@pytest.fixture(scope="module")
def sqlite_pg() -> Iterator[sqlite3.Connection]:
    db = sqlite3.connect(":memory:")
    db.create_function("left", 2, _pg_left, deterministic=True)
    db.create_function("right", 2, _pg_right, deterministic=True)
    yield db
    db.close()


def test_the_emulated_left_and_right_follow_postgresql(sqlite_pg: sqlite3.Connection) -> None:
    """PostgreSQL: left('abcde', 2) = 'ab', left('abcde', -2) = 'abc', right('abcde', 2) = 'de',
    right('abcde', -2) = 'cde', and a count beyond the length gives the whole string."""
    row = sqlite_pg.execute(
        in_sqlite(
            "SELECT left('abcde', 2), left('abcde', -2), right('abcde', 2), right('abcde', -2),"
            " left('ab', 6), right('ab', 4), left(NULL, 1), length('网格员')"
        )
    ).fetchone()
    assert row == ("ab", "abc", "de", "cde", "ab", "ab", None, 3)


TWIN_VALUES: list[str | None] = [
    None,
    "",
    "1",
    "12",
    "1234567",
    "12345678",
    "123456789",
    "13800000001",
    "+8613912345678",
    "025-52123456",
    "110101199003071234",
    "11010119900307123X",
    "110105491231002",
    "网格员电话号码",
]
MASKS: list[Callable[[str], str]] = [mask_id_number, mask_phone]


@pytest.mark.parametrize(("exposure", "mask"), list(itertools.product(Exposure, MASKS)))
def test_the_sql_twin_shows_what_the_python_rule_shows(
    sqlite_pg: sqlite3.Connection, exposure: Exposure, mask: Callable[[str], str]
) -> None:
    sql = in_sqlite(privacy.shown_sql("v", exposure, mask))
    for value in TWIN_VALUES:
        (got,) = sqlite_pg.execute(f"SELECT {sql} FROM (SELECT ? AS v)", (value,)).fetchone()
        assert got == privacy._shown(value, exposure, mask), (exposure, mask.__name__, value)


def test_the_sql_twin_is_the_bare_column_when_full_and_null_when_hidden() -> None:
    for mask in MASKS:
        assert privacy.shown_sql("r.phone", FULL, mask) == "r.phone"
        assert privacy.shown_sql("r.phone", HIDDEN, mask) == "NULL"
        masked = privacy.shown_sql("r.phone", MASKED, mask)
        assert masked.startswith("(") and masked.endswith(")") and "{c}" not in masked
        assert "r.phone" in masked


def test_each_mask_has_exactly_one_sql_twin() -> None:
    assert set(privacy._MASKS_SQL) == {mask_id_number, mask_phone}


@pytest.mark.parametrize("role", sorted(EXPECTED))
def test_the_birth_date_is_shown_in_sql_only_to_roles_that_see_the_whole_number(role: str) -> None:
    rule = privacy.rule_for(ctx(role))
    expected = "r.birth_date" if EXPECTED[role][2] is FULL else "NULL"
    assert privacy.birth_date_sql("r.birth_date", rule) == expected


# ---- the Python shapes: viewer and phone_shown ----


def _resident(id_number: str | None, phone: str | None, birth: date | None) -> Resident:
    """A stand-in with the attributes `viewer` and `tags.tags_of` read; no database behind it."""
    fields = dict.fromkeys(TYPED_TAGS, False)
    return cast(
        Resident,
        SimpleNamespace(
            id=7,
            node_id=3,
            household_id=5,
            name="王秀英",
            id_number=id_number,
            sex="female",
            birth_date=birth,
            phone=phone,
            created_at=datetime(2025, 1, 1, tzinfo=UTC),
            **fields,
        ),
    )


NUMBER = idcard.make("320115", date(1948, 2, 29), 38)
PHONE = "13912345678"


def expected_shown(value: str, exposure: Exposure, mask: Callable[[str], str]) -> str | None:
    return {FULL: value, MASKED: mask(value), HIDDEN: None}[exposure]


@pytest.mark.parametrize("role", sorted(EXPECTED))
def test_a_resident_is_viewed_with_the_roles_exposures_and_birth_date_with_the_full_number_only(role: str) -> None:
    _reach, _edits, id_exposure, phone_exposure = EXPECTED[role]
    view = privacy.viewer(ctx(role))(_resident(NUMBER, PHONE, date(1948, 2, 29)))
    assert view.id_number == expected_shown(NUMBER, id_exposure, mask_id_number)
    assert view.phone == expected_shown(PHONE, phone_exposure, mask_phone)
    assert (view.birth_date is not None) is (id_exposure is FULL)
    assert view.age is not None and view.age >= 76  # the age is kept even when the birth date is hidden
    assert "over_60" in view.tags


@pytest.mark.parametrize("role", sorted(EXPECTED))
def test_a_missing_number_or_phone_stays_missing_for_every_role(role: str) -> None:
    view = privacy.viewer(ctx(role))(_resident(None, None, None))
    assert (view.id_number, view.phone, view.birth_date, view.age) == (None, None, None, None)


@pytest.mark.parametrize("role", sorted(EXPECTED))
def test_phone_shown_follows_the_roles_phone_exposure(role: str) -> None:
    show = privacy.phone_shown(ctx(role))
    assert show(PHONE) == expected_shown(PHONE, EXPECTED[role][3], mask_phone)
    assert show(None) is None
