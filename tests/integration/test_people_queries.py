"""A page of households costs the same number of SQL statements for 10 rows as for 100:
every relation a page touches goes through a per-request DataLoader. (The page here asks
relations PostgreSQL does not shape itself, so the resolvers answer it; pages it does shape
are one statement, tests/integration/test_compiled_pages.py.)

The schema runs in this process against the real PostgreSQL (as the app's role, under
row-level security), and Tortoise's `tortoise.db_client` logger, which logs each statement
once, counts them.
"""

from __future__ import annotations

import inspect

import pytest

from redgrid.platform.context import RequestContext

from .statements import statements_for, street_secretary

# Red households: every page, of 10 or of 100, then reaches every relation (members, party
# members and their cards), so the two counts compare like with like.
PAGE = """query($first: Int!) {
  households(first: $first, filter: {colour: RED}, order: {field: ADDRESS}) { totalCount edges { node {
  address colour kind node { name path parent { name } }
  members { name idNumber phone tags household { address } partyMember { category organisation { name } } }
  partyMembers { category joinedOn resident { name phone } organisation { name kind }
                 commitments { content verified } serviceHours attendances { title } pointsBalance }
} } } }"""


@pytest.fixture
async def secretary(db, street) -> RequestContext:
    return await street_secretary(street.slug)


async def statements_for_page(ctx: RequestContext, first: int) -> tuple[int, dict]:
    return await statements_for(ctx, PAGE, {"first": first})


async def test_a_page_of_households_costs_the_same_statements_for_10_and_100(secretary):
    small, small_page = await statements_for_page(secretary, 10)
    large, large_page = await statements_for_page(secretary, 100)
    households = [e["node"] for e in large_page["households"]["edges"]]
    assert len(households) == 100 and len(small_page["households"]["edges"]) == 10
    members = [m for h in households for m in h["members"]]
    assert len(members) > 200 and all(h["partyMembers"] for h in households)
    print(f"statements: {small} for 10 households, {large} for 100 ({len(members)} members)")
    # set_config of the tenant transaction, the count, the page, and one per relation followed:
    # grid node, its parent, members, their household, party members, organisations, the
    # members' residents, commitments, service records, attendances, points.
    assert small == large == 3 + 11


async def test_relations_asked_through_fragments_are_loaded_for_the_page_too(secretary, monkeypatch):
    """The households page loads the relations its query asks before completing the rows
    (`selected` through fragments is in tests/unit/test_loaders.py): asked through fragments,
    the same rows come back in the same statements, and no row's relation waits for a load.
    (These queries are ones PostgreSQL would shape itself, graphql/core/compiled.py: turned off here,
    it is the resolvers' way that is tested.)"""
    from redgrid.graphql.people import types as people
    from redgrid.platform.settings import get_settings

    monkeypatch.setattr(get_settings(), "compiled_pages", False)
    waited = []

    def counting(original):
        def counted(*args):
            answer = original(*args)
            waited.append(inspect.isawaitable(answer))
            return answer

        return counted

    for name in ("now_or_later", "all_now_or_later"):
        monkeypatch.setattr(people, name, counting(getattr(people, name)))
    plain = """{ households(first: 20, order: {field: ADDRESS}) { edges { node {
      address node { path } members { name } partyMembers { category organisation { name } } } } } }"""
    fragments = """{ households(first: 20, order: {field: ADDRESS}) { edges { ...Row } } }
    fragment Row on HouseholdEdge { node { address ... on Household { node { path } members { name } }
      partyMembers { ...Card } } }
    fragment Card on PartyMember { category organisation { name } }"""
    results = [await statements_for(secretary, query) for query in (plain, fragments)]
    assert results[0] == results[1]
    assert waited and not any(waited)  # every relation answered at once: the page filled them
    assert any(e["node"]["partyMembers"] for e in results[0][1]["households"]["edges"])
