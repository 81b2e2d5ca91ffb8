"""The document limits of graphql/core/limits.py against the real schema: cost multiplies through
pages and plain lists, depth, aliases and size are refused with their codes, and the pages
the clients send pass."""

from __future__ import annotations

from graphql import GraphQLError, parse, specified_rules, validate

from redgrid.graphql.core.limits import LIST_ESTIMATE, check, document_cache, prepare, size_error
from redgrid.graphql.schema import schema
from redgrid.platform.body_limit import json_depth
from redgrid.platform.limits import Limits

LIMITS = Limits()
HOUSEHOLD = "id building unit room address kind colour createdAt node { id name code }"
MEMBER = "id name sex phone idNumber"
CYCLE = f"members {{ household {{ members {{ household {{ members {{ {MEMBER} }} }} }} }} }}"
# The deepest page the clients send (tests/integration/test_people_queries.py): about half the budget.
RED_HOUSEHOLDS = """query($first: Int!) { households(first: $first) { totalCount edges { node {
  address colour kind node { name path parent { name } }
  members { name idNumber phone tags household { address } partyMember { category organisation { name } } }
  partyMembers { category joinedOn resident { name phone } organisation { name kind }
                 commitments { content verified } serviceHours attendances { title } pointsBalance }
} } } }"""


def errors(query: str, limits: Limits = LIMITS) -> list[GraphQLError]:
    document = parse(query)
    refused = check(schema._schema, document, limits)[0]
    return refused or validate(schema._schema, document, specified_rules)


def codes(query: str, limits: Limits = LIMITS) -> list[str]:
    return [(e.extensions or {}).get("code", "") for e in errors(query, limits)]


def test_a_page_of_households_with_their_members_passes() -> None:
    query = f"{{ households(first: 100) {{ edges {{ cursor node {{ {HOUSEHOLD} members {{ {MEMBER} }} }} }} "
    query += "pageInfo { hasNextPage endCursor } totalCount } }"
    assert errors(query) == []
    assert errors(RED_HOUSEHOLDS) == []


def test_a_page_of_100_with_a_nested_list_of_lists_costs_more_than_the_budget() -> None:
    query = f"{{ households(first: 100) {{ edges {{ node {{ {CYCLE} }} }} }} }}"
    # 100 households × 10 members × 10 members of their household × 10 again × 5 fields
    assert LIMITS.graphql_cost < 100 * LIST_ESTIMATE**3 * 5
    assert codes(query) == ["TOO_COMPLEX"]


def test_first_sets_the_multiplier_and_its_absence_the_default_page() -> None:
    nested = f"edges {{ node {{ {CYCLE} }} }}"
    assert codes(f"{{ households(first: 2) {{ {nested} }} }}") == []
    assert codes(f"{{ households {{ {nested} }} }}") == ["TOO_COMPLEX"]
    small = Limits(graphql_default_page=2)
    assert codes(f"query($n: Int!) {{ households(first: $n) {{ {nested} }} }}", small) == []


def test_the_grid_tree_walked_up_and_down_is_refused() -> None:
    tree = "children { parent { children { parent { children { parent { children { id } } } } } } }"
    query = "{ gridNodes(first: 50) { edges { node { " + tree + " } } } }"
    assert codes(query) == ["TOO_COMPLEX"]


def test_fragments_count_where_they_are_spread() -> None:
    query = f"""
        query {{ households(first: 100) {{ edges {{ node {{ ...H }} }} }} }}
        fragment H on Household {{ {CYCLE} }}
    """
    assert codes(query) == ["TOO_COMPLEX"]


def test_depth_and_aliases_have_their_own_codes() -> None:
    deep = '{ node(id: "x") { ... on GridNode { ' + "parent { " * 12 + "id" + " }" * 12 + " } } }"
    assert codes(deep) == ["TOO_DEEP"]
    aliases = "{ " + " ".join(f"a{i}: __typename" for i in range(31)) + " }"
    assert codes(aliases) == ["TOO_MANY_ALIASES"]


def test_introspection_is_not_counted_as_cost() -> None:
    query = "{ __schema { types { name fields { name args { name type { name ofType { name } } } } } } }"
    assert errors(query) == []


def test_a_document_over_the_size_limit_is_refused_before_parsing_and_never_cached() -> None:
    prepare(schema._schema, "{ __typename }")
    cached = len(document_cache())
    for n in range(20):
        big = "{ " + f"x{n} " * LIMITS.graphql_document_bytes + " }"
        assert size_error(big) is not None
        try:
            prepare(schema._schema, big)
        except GraphQLError as exc:
            assert exc.extensions == {"code": "TOO_LARGE"}
        else:
            raise AssertionError("prepared a document over the size limit")
    assert len(document_cache()) == cached
    assert document_cache().size == LIMITS.graphql_cache_entries


def test_too_many_tokens_is_refused_while_parsing() -> None:
    query = "{ " + "__typename " * LIMITS.graphql_tokens + "}"
    assert len(query) < LIMITS.graphql_document_bytes
    try:
        prepare(schema._schema, query)
    except GraphQLError as exc:
        assert exc.extensions == {"code": "TOO_LARGE"} and "tokens" in exc.message
    else:
        raise AssertionError("prepared a document over the token limit")


def test_json_depth() -> None:
    assert json_depth(1) == 0
    assert json_depth({"a": [1, {"b": []}]}) == 4
    value: object = 0
    for _ in range(5000):
        value = [value]
    assert json_depth(value) == 5000


def test_a_variable_first_is_costed_with_the_request_value() -> None:
    query = f"query($n: Int!) {{ households(first: $n) {{ edges {{ node {{ {CYCLE} }} }} }} }}"
    document = parse(query)
    small = Limits(graphql_default_page=2)
    refused, cost, paged_by_variable = check(schema._schema, document, small)
    assert refused == [] and paged_by_variable
    assert check(schema._schema, document, small, {"n": 2})[1] == cost
    assert [e.extensions for e in check(schema._schema, document, small, {"n": 500})[0]] == [{"code": "TOO_COMPLEX"}]


def test_wide_and_repeated_selections_are_refused_before_graphql_cores_rules() -> None:
    """One field repeated: graphql-core compares every pair (1.1 s for 1,980 of them)."""
    repeated = "{ gridLevels { " + "name " * (LIMITS.graphql_merges + 5) + "} }"
    assert codes(repeated) == ["TOO_COMPLEX"]
    wide = "{ gridLevels { " + " ".join(f"a{i}: name" for i in range(LIMITS.graphql_fields_per_set + 1)) + " } }"
    assert codes(wide, Limits(graphql_aliases=1000)) == ["TOO_COMPLEX"]
    n = next(n for n in range(2, 100) if n * (n - 1) // 2 > LIMITS.graphql_merges)
    fragments = "{ me { " + " ".join(f"...F{i}" for i in range(n)) + " } } "
    fragments += " ".join(f"fragment F{i} on Me {{ username }}" for i in range(n))
    assert codes(fragments) == ["TOO_COMPLEX"]  # n fragments side by side: n(n-1)/2 pairs
    many = "{ " + " ".join("me { username }" for _ in range(4)) + " }"
    assert codes(many, Limits(graphql_fields=50, graphql_merges=10)) == []


def test_every_refusal_is_coded_even_for_the_worst_document_under_the_token_limit() -> None:
    query = "query T { gridLevels { " + "name " * (LIMITS.graphql_tokens - 20) + "} }"
    assert [e.extensions for e in prepare(schema._schema, query).errors] == [{"code": "TOO_COMPLEX"}]
