"""The document limits of graphql/limits.py against the real schema: cost multiplies through
pages and plain lists, depth, aliases and size are refused with their codes, and the pages
the clients send pass."""

from __future__ import annotations

from graphql import GraphQLError, parse, specified_rules, validate

from redgrid.graphql.limits import LIST_ESTIMATE, _prepared, limit_rules, prepare, size_error
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
    return validate(schema._schema, parse(query), (*specified_rules, *limit_rules(limits)))


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
    assert LIMITS.graphql_cost < 100 * LIST_ESTIMATE ** 3 * 5
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
    deep = "{ node(id: \"x\") { ... on GridNode { " + "parent { " * 12 + "id" + " }" * 12 + " } } }"
    assert codes(deep) == ["TOO_DEEP"]
    aliases = "{ " + " ".join(f"a{i}: __typename" for i in range(31)) + " }"
    assert codes(aliases) == ["TOO_MANY_ALIASES"]


def test_introspection_is_not_counted_as_cost() -> None:
    query = "{ __schema { types { name fields { name args { name type { name ofType { name } } } } } } }"
    assert errors(query) == []


def test_a_document_over_the_size_limit_is_refused_before_parsing_and_never_cached() -> None:
    prepare(schema._schema, "{ __typename }")
    cached = _prepared().cache_info().currsize
    for n in range(20):
        big = "{ " + f"x{n} " * LIMITS.graphql_document_bytes + " }"
        assert size_error(big) is not None
        try:
            prepare(schema._schema, big)
        except GraphQLError as exc:
            assert exc.extensions == {"code": "TOO_LARGE"}
        else:
            raise AssertionError("prepared a document over the size limit")
    assert _prepared().cache_info().currsize == cached
    assert _prepared().cache_info().maxsize == LIMITS.graphql_cache_entries


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
