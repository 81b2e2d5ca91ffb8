"""Register pages that PostgreSQL shapes itself (graphql/core/compiled.py) answer exactly what the
resolvers answer, role by role and scope by scope, in one statement; what the compiler does
not take goes the resolvers' way.

The schema runs in this process against the real PostgreSQL as the app's role, under
row-level security; each query is answered both ways (REDGRID_COMPILED_PAGES on and off).
"""

from __future__ import annotations

from datetime import date
from types import SimpleNamespace
from typing import Any

import pytest

from redgrid.graphql.core.loaders import Loaders
from redgrid.graphql.schema import schema
from redgrid.platform.auth.identity import Identity
from redgrid.platform.context import GridScope, RequestContext, ScopeKind
from redgrid.platform.database import connection, tenant_transaction
from redgrid.platform.models import Tenant
from redgrid.platform.settings import get_settings
from redgrid.tenants.grid.models import GridNode
from redgrid.tenants.people import privacy, tags
from redgrid.tenants.people.models import Household

from .statements import counted_statements, response_data

HOUSEHOLDS = """query($first: Int!, $after: String, $filter: HouseholdFilter, $order: HouseholdOrder) {
  households(first: $first, after: $after, filter: $filter, order: $order) {
    __typename totalCount pageInfo { hasNextPage endCursor hasPreviousPage startCursor __typename }
    edges { __typename cursor node { __typename id building unit room address kind colour
      node { id code path name level headName headPhone retired }
      members { id name idNumber sex birthDate age phone tags }
      partyMembers { id category joinedOn listed photoUrl duties phonePublic
                     organisation { id name kind secretaryName } } } }
  } }"""
RESIDENTS = """query($first: Int!, $after: String, $filter: ResidentFilter, $order: NamedOrder) {
  residents(first: $first, after: $after, filter: $filter, order: $order) {
    pageInfo { hasNextPage endCursor } edges { cursor node { id name idNumber birthDate age phone tags sex } } } }"""


async def answer(ctx: RequestContext, query: str, variables: dict[str, Any], compiled: bool) -> tuple[Any, list[str]]:
    """(data and the errors' messages and paths, the SQL statements run)."""
    settings = get_settings()
    was, settings.compiled_pages = settings.compiled_pages, compiled
    try:
        with counted_statements() as statements:
            result = await schema.execute(
                query, variables, context_value=SimpleNamespace(ctx=ctx, loaders=Loaders(ctx))
            )
    finally:
        settings.compiled_pages = was
    errors = [(e.message, e.path) for e in result.errors or []]
    return (response_data(result), errors), statements


async def both_ways(ctx: RequestContext, query: str, **variables: Any) -> tuple[Any, list[str]]:
    """The answer, checked equal both ways, and the statements the compiled way ran."""
    compiled, statements = await answer(ctx, query, variables, compiled=True)
    resolved, _ = await answer(ctx, query, variables, compiled=False)
    assert compiled == resolved
    return compiled, statements


def shaped(statements: list[str]) -> bool:
    """Whether PostgreSQL shaped the page (graphql/core/compiled.py), not the resolvers."""
    return any("json_build_object" in statement for statement in statements)


def context(tenant: Tenant, roles: set[str], scope: GridScope) -> RequestContext:
    return RequestContext(Identity("compiled", "compiled", frozenset(roles), tenant.slug, None), tenant, scope)


@pytest.fixture
async def home(street) -> Tenant:
    return street.tenant


@pytest.fixture
async def area_path(home: Tenant) -> str:
    """An area of the street's Jinshui Garden: a subtree with households inside it and outside it."""
    async with tenant_transaction(home.id):
        household = await Household.filter(tenant_id=home.id).order_by("id").first()
        node = await GridNode.get(id=household.node_id)  # type: ignore[union-attr]
    return node.path.rsplit(".", 1)[0]


@pytest.mark.parametrize(
    "roles, masked",
    [
        ({"secretary"}, False),
        ({"grid-head"}, False),
        ({"grid-worker"}, True),
        ({"grid-worker", "volunteer"}, True),
    ],
)
async def test_a_household_page_is_the_same_both_ways_for_every_role_and_scope(home, area_path, roles, masked):
    scopes = [GridScope(ScopeKind.TENANT), GridScope(ScopeKind.SUBTREE, area_path)]
    for scope in scopes:
        ctx = context(home, roles, scope)
        (data, errors), statements = await both_ways(ctx, HOUSEHOLDS, first=40, order={"field": "ADDRESS"})
        assert not errors
        page = data["households"]
        # set_config, the count, and the page: one statement, relations and all
        assert len(statements) == 3 and shaped(statements)
        households = [e["node"] for e in page["edges"]]
        members = [m for h in households for m in h["members"]]
        assert len(households) == 40 and page["pageInfo"]["hasNextPage"] and members
        assert page["pageInfo"]["hasPreviousPage"] is False
        assert (
            page["pageInfo"]["startCursor"] == page["edges"][0]["cursor"]
            and page["pageInfo"]["endCursor"] == page["edges"][-1]["cursor"]
        )
        assert any(h["partyMembers"] for h in households)
        if scope.kind is ScopeKind.SUBTREE:
            assert all(h["node"]["path"].startswith(area_path + ".") for h in households)
            assert (
                page["totalCount"]
                < (await both_ways(context(home, roles, scopes[0]), HOUSEHOLDS, first=1))[0][0]["households"][
                    "totalCount"
                ]
            )
        numbers = [m["idNumber"] for m in members if m["idNumber"]]
        assert numbers and all(("****" in n) is masked for n in numbers)
        assert all((m["birthDate"] is None) is masked for m in members if m["idNumber"])
        # the next page, after the cursor, and the same page ordered the other way
        after = page["pageInfo"]["endCursor"]
        (following, _), _ = await both_ways(ctx, HOUSEHOLDS, first=40, after=after, order={"field": "ADDRESS"})
        assert following["households"]["edges"][0]["node"]["id"] not in {h["id"] for h in households}
        assert following["households"]["pageInfo"]["hasPreviousPage"] is True
        (red, _), _ = await both_ways(
            ctx,
            HOUSEHOLDS,
            first=25,
            order={"field": "CREATED_AT", "direction": "DESC"},
            filter={"colour": "RED", "addressContains": "1"},
        )
        assert red["households"]["edges"] and all(e["node"]["colour"] == "RED" for e in red["households"]["edges"])


async def test_a_resident_page_is_the_same_both_ways_with_ages_tags_and_masks(home, area_path):
    for roles in ({"secretary"}, {"grid-worker"}):
        ctx = context(home, roles, GridScope(ScopeKind.TENANT))
        (data, errors), statements = await both_ways(
            ctx, RESIDENTS, first=100, filter={"tag": "OVER_60"}, order={"field": "NAME"}
        )
        assert not errors and len(statements) == 2 and shaped(statements)
        residents = [e["node"] for e in data["residents"]["edges"]]
        assert len(residents) == 100 and all(r["age"] >= 60 and "OVER_60" in r["tags"] for r in residents)
        cursor = data["residents"]["pageInfo"]["endCursor"]
        (following, _), _ = await both_ways(ctx, RESIDENTS, first=50, after=cursor, order={"field": "NAME"})
        assert following["residents"]["edges"]
        (named, _), _ = await both_ways(
            ctx, RESIDENTS, first=50, order={"field": "CREATED_AT", "direction": "DESC"}, filter={"nameContains": "王"}
        )
        assert named["residents"]["edges"]


async def test_what_the_compiler_does_not_take_goes_the_resolvers_way(home):
    ctx = context(home, {"secretary"}, GridScope(ScopeKind.TENANT))
    fragments = """{ households(first: 10) { edges { node { ...Row } } } }
      fragment Row on Household { address members { name ... on Resident { phone } } }"""
    (_, errors), statements = await both_ways(ctx, fragments)
    assert not errors and shaped(statements)  # fragments on the row's own type: compiled
    skipped = """query($yes: Boolean!) { households(first: 10) { edges { node {
      address @include(if: $yes) colour @skip(if: $yes) } } } }"""
    (data, _), statements = await both_ways(ctx, skipped, yes=True)
    assert shaped(statements) and list(data["households"]["edges"][0]["node"]) == ["address"]
    for query in (
        "{ households(first: 10) { edges { node { address createdAt } } } }",  # a field without a shape
        "{ households(first: 10) { edges { node { members { household { address } } } } } }",  # a relation without one
        "{ households(first: 10) { edges { node { ... on Node { id } } } } }",  # a fragment on an interface
        "{ households(first: 10) { edges { node { address address: address } } } }",  # a key selected twice
    ):
        (data, errors), statements = await both_ways(ctx, query)
        assert not errors and data["households"]["edges"] and not shaped(statements), query
    # Bad input and refusals word the same errors both ways.
    (_, errors), _ = await both_ways(ctx, "{ households(first: 0) { edges { cursor } } }")
    assert errors and "first must be between" in errors[0][0]
    (_, errors), _ = await both_ways(ctx, '{ households(first: 5, after: "nonsense") { edges { cursor } } }')
    assert errors
    for roles in ({"volunteer"}, {"dept-staff"}):
        (data, errors), _ = await both_ways(context(home, roles, GridScope(ScopeKind.TENANT)), HOUSEHOLDS, first=5)
        assert data is None and errors


async def test_the_sql_twins_of_masks_and_ages_agree_with_the_python_rules(db):
    """privacy.shown_sql and tags.age_sql / tags_sql against the functions resolvers use, on
    edge values, in the real PostgreSQL."""
    values = ["", "1", "12", "1234567", "12345678", "13800000001", "110101199003071234", "11010119900307123X", None]
    days = [date(2024, 2, 29), date(2025, 2, 28), date(2025, 3, 1), date(2026, 11, 25), date(2028, 2, 28)]
    births = [
        date(1964, 2, 29),
        date(1965, 2, 28),
        date(1965, 3, 1),
        date(1966, 11, 25),
        date(1966, 11, 26),
        date(1944, 2, 29),
        date(1946, 11, 24),
        date(2020, 1, 1),
    ]

    async def fetch(sql: str, *args: Any) -> list[Any]:
        return (await connection().execute_query(sql, list(args)))[1]

    for exposure in privacy.Exposure:
        for mask in (privacy.mask_id_number, privacy.mask_phone):
            sql = privacy.shown_sql("v", exposure, mask)
            got = [
                r[0]
                for r in await fetch(
                    f"SELECT {sql} FROM unnest($1::text[]) WITH ORDINALITY AS t(v, i) ORDER BY i", values
                )
            ]
            assert got == [privacy._shown(v, exposure, mask) for v in values], (exposure, mask)
    for day in days:
        ages = await fetch(
            f"SELECT {tags.age_sql('b', '$1::date')} FROM unnest($2::date[]) WITH ORDINALITY AS t(b, i) ORDER BY i",
            day,
            births,
        )
        assert [r[0] for r in ages] == [tags.age_on(b, day) for b in births], day
        thresholds = {years: tags.years_before(day, years) for years in tags.AGE_TAGS.values()}
        conditions = [
            (tag, sql)
            for tag, sql in tags.tags_sql("r", lambda y, at=thresholds: f"'{at[y]}'::date")
            if tag in tags.AGE_TAGS
        ]
        selected = ", ".join(sql for _, sql in conditions)
        rows = await fetch(
            f"SELECT {selected} FROM unnest($1::date[]) WITH ORDINALITY AS r(birth_date, i) ORDER BY i", births
        )
        for birth, row in zip(births, rows, strict=True):
            expected = [tag for tag, years in tags.AGE_TAGS.items() if tags.age_on(birth, day) >= years]
            assert [tag for (tag, _), carries in zip(conditions, row, strict=True) if carries] == expected, (day, birth)
