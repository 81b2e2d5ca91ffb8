"""A household's colour class (分级分色, docs/domain.md "Residents and households"), as
tenants/people/colour.py derives it: red for a party member's household, else blue for hardship or
low-income, else yellow for a rented or vacant dwelling, else none. Every combination of the three
inputs, without a database.
"""

from __future__ import annotations

import itertools

import pytest

from redgrid.tenants.people import colour
from redgrid.tenants.people.models import COLOURS, HOUSEHOLD_KINDS

# (kind, has a party member, has a member in hardship or on low income) → colour: all 12 combinations.
TABLE: list[tuple[str, bool, bool, str]] = [
    ("owned", False, False, "none"),
    ("owned", False, True, "blue"),
    ("owned", True, False, "red"),
    ("owned", True, True, "red"),
    ("rental", False, False, "yellow"),
    ("rental", False, True, "blue"),
    ("rental", True, False, "red"),
    ("rental", True, True, "red"),
    ("vacant", False, False, "yellow"),
    ("vacant", False, True, "blue"),
    ("vacant", True, False, "red"),
    ("vacant", True, True, "red"),
]


def test_the_table_covers_every_kind_and_flag_combination_once() -> None:
    assert sorted((k, p, h) for k, p, h, _ in TABLE) == sorted(
        itertools.product(HOUSEHOLD_KINDS, (False, True), (False, True))
    )


@pytest.mark.parametrize(("kind", "party", "hardship", "expected"), TABLE)
def test_the_colour_of_each_combination(kind: str, party: bool, hardship: bool, expected: str) -> None:
    assert colour.derive(kind, party, hardship) == expected


@pytest.mark.parametrize("kind", HOUSEHOLD_KINDS)
@pytest.mark.parametrize("hardship", [False, True])
def test_a_party_member_makes_the_household_red_whatever_else_holds(kind: str, hardship: bool) -> None:
    assert colour.derive(kind, True, hardship) == "red"


@pytest.mark.parametrize("kind", HOUSEHOLD_KINDS)
def test_hardship_without_a_party_member_makes_it_blue_even_when_rented_or_vacant(kind: str) -> None:
    assert colour.derive(kind, False, True) == "blue"


@pytest.mark.parametrize(("kind", "expected"), [("owned", "none"), ("rental", "yellow"), ("vacant", "yellow")])
def test_without_party_member_or_hardship_only_a_rented_or_vacant_dwelling_is_yellow(kind: str, expected: str) -> None:
    assert colour.derive(kind, False, False) == expected


def test_every_derived_colour_is_a_stored_colour_and_each_stored_colour_is_derived() -> None:
    derived = {colour.derive(k, p, h) for k, p, h in itertools.product(HOUSEHOLD_KINDS, (False, True), (False, True))}
    assert derived == set(COLOURS)


async def test_refreshing_no_household_changes_nothing_and_asks_no_database() -> None:
    """No Tortoise connection exists in unit tests: a query would raise."""
    assert await colour.refresh(1, []) == []
    assert await colour.refresh(1, [None, None]) == []
