"""Register pages that PostgreSQL shapes itself: one SQL statement returns a connection's rows
as the JSON the query asks for, and the executor takes that value as complete.

Why: a page of 100 households with their members, grid node and party members completes
about 2,200 fields. Through the resolvers and DataLoaders it took 33 to 43 ms, against 2.4 to
3.7 ms for one hand-written SQL query (bench/registers.py): five statements whose rows become
Tortoise model instances, then graphql-core's completion field by field. The goal is 2x.

How: a connection's resolver hands `compiled_page` its scoped and filtered queryset and the
`Shape` of its rows: for each field, the SQL expression of its value (`Leaf`) or the relation
it follows (`One`, `Many`). When every field the query selects below the connection has a
shape, with no arguments, no directives but @include and @skip, and fragments on the
selected type only, Tortoise's own statement for the page (scope, filters, keyset and order
included) is wrapped in one that builds each row with json_build_object and each list with
json_agg, in the order the resolvers give. What the caller's role sees comes from the same
rules (tenants/people/privacy.py and tags.py give each mask and derivation its SQL twin).
Anything else (another field, an argument, a deferred fragment, SQLite) gets None, and the
resolvers answer; so does every query when `REDGRID_COMPILED_PAGES=false`.
tests/integration/test_compiled_pages.py holds both ways' answers equal, role by role.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from enum import Enum
from typing import Any

import orjson
import strawberry
from strawberry.types.nodes import SelectedField, Selection
from tortoise.queryset import QuerySet

from redgrid.graphql.core.pagination import Ordering, cursor_of, rows_after
from redgrid.platform.database import connection, is_postgres
from redgrid.platform.settings import get_settings
from redgrid.tenants.people import tags
from redgrid.tenants.people.privacy import Rule

JSON_OBJECT_KEYS = 50  # json_build_object takes at most 100 arguments


class _NotCompiled(Exception):
    """A selection left to the resolvers."""


@dataclass(frozen=True)
class Completed:
    """A field's value already completed (response keys, serialized leaves; a node as an
    orjson.Fragment of its JSON): the executor returns it as it is (graphql/core/executor.py), and
    the response's encoder (`graphql.responses.encode_json`) pastes the fragments in."""

    value: Any


class Statement:
    """The SQL being built for one request: its parameters, numbered after the page's own, and
    fresh table aliases."""

    def __init__(self, rule: Rule, params: list[Any]) -> None:
        self.rule = rule  # what the caller's roles see of a person
        self.params = list(params)
        self._named: dict[str, str] = {}
        self._aliases = 0

    def param(self, name: str, value: Any, cast: str) -> str:
        if name not in self._named:
            self.params.append(value)
            self._named[name] = f"${len(self.params)}::{cast}"
        return self._named[name]

    def today(self) -> str:
        """The local date, for ages."""
        return self.param("today", tags.today(), "date")

    def years_ago(self, years: int) -> str:
        """The local date `years` ago, for age tags."""
        return self.param(f"years_ago_{years}", tags.years_before(tags.today(), years), "date")

    def alias(self) -> str:
        self._aliases += 1
        return f"t{self._aliases}"


Leaf = Callable[[str, Statement], str]  # (row alias, statement) -> the SQL of the field's JSON value


@dataclass(frozen=True)
class One:
    """A to-one relation: `on` joins the target `{a}` to the row `{p}`."""

    shape: Shape
    table: str
    on: str


@dataclass(frozen=True)
class Many:
    """A to-many relation: the rows `{a}` of `source` (which may join an intermediate `{b}`)
    matching `where` for the row `{p}`, in `order`."""

    shape: Shape
    source: str
    where: str
    order: str


@dataclass(frozen=True)
class Shape:
    type_name: str
    fields: dict[str, Leaf | One | Many]


def column(name: str) -> Leaf:
    return lambda a, _: f"{a}.{name}"


def enum_column(name: str, enum: type[Enum]) -> Leaf:
    """A column holding an enum's values, as GraphQL names them."""
    cases = " ".join(f"WHEN '{member.value}' THEN '{member.name}'" for member in enum)
    return lambda a, _: f"(CASE {a}.{name} {cases} END)"


def global_id(type_name: str) -> Leaf:
    """Relay's global id of the row: base64 of "Type:id", as strawberry encodes it."""
    return lambda a, _: f"translate(encode(convert_to('{type_name}:' || {a}.id, 'UTF8'), 'base64'), E'\\n', '')"


async def compiled_page(
    info: strawberry.Info,
    queryset: QuerySet[Any],
    first: int,
    after: str | None,
    ordering: Ordering,
    shape: Shape,
    rule: Rule,
) -> Completed | None:
    """The connection `info` resolves, as one statement over `queryset`'s page; None when the
    query asks what only the resolvers answer."""
    if not get_settings().compiled_pages or not is_postgres():
        return None
    rows = rows_after(queryset, first, after, ordering)  # bad input fails here, as paginate's would
    selected = info.selected_fields
    if len(selected) != 1:
        return None
    # sql() is Tortoise's public way to build `rows.query`; rendering it again gives the
    # parameters too (0.15 ms).
    rows.sql()
    rows_sql, params = rows.query.get_parameterized_sql()
    # The limit is written out, not a parameter: with it, PostgreSQL's generic plan of the
    # statement (which it reuses, unplanned) walks the page; without, all the tenant's rows.
    page_sql = f"{rows_sql} LIMIT {first + 1:d}"
    statement = Statement(rule, params)
    try:
        plan = _connection(shape, selected[0].selections, statement)
    except _NotCompiled:
        return None
    order = queryset.model._meta.fields_map[ordering.field].source_field or ordering.field
    direction = "DESC" if ordering.descending else "ASC"
    # Each node's JSON as UTF-8 bytes (convert_to gives bytea, which asyncpg hands over as it
    # is): the response pastes it in (orjson.Fragment) instead of decoding 20,000 values to
    # encode them again, 0.7 to 1 ms of a 100-household page.
    nodes = "".join(f", convert_to({sql}::text, 'UTF8')" for sql in plan.nodes)
    _, found = await connection().execute_query(
        f"SELECT p.{order}, p.id{nodes} FROM ({page_sql}) p ORDER BY p.{order} {direction}, p.id {direction}",
        statement.params,
    )
    return Completed(await plan.complete(found, first, bool(after), queryset))


@dataclass
class _Plan:
    """The connection's response, built from the statement's rows: `edges` with their cursor
    and each selected `node` (the statement's columns after order value and id)."""

    type_name: str
    fields: list[tuple[str, SelectedField]]
    opened: dict[str, list[tuple[str, SelectedField]]]  # what `edges` and `pageInfo` select, by response key
    nodes: list[str]  # the SQL of each `node` selection, in the order of the statement's columns
    node_columns: dict[int, int]  # id() of a `node` selection: its column

    async def complete(self, rows: Sequence[Any], first: int, after: bool, queryset: QuerySet[Any]) -> dict[str, Any]:
        more, rows = len(rows) > first, rows[:first]
        # Cursors only when asked: a page of 100 costs 0.5 ms of them.
        asked = any(
            f.name == "cursor" for key, field in self.fields if field.name == "edges" for _, f in self.opened[key]
        )
        cursors = [cursor_of(row[0], row[1]) for row in rows] if asked else None
        value: dict[str, Any] = {}
        for key, field in self.fields:
            if field.name == "edges":
                edge = self.opened[key]
                value[key] = [
                    {k: self._edge_value(f, row, cursors[i] if cursors is not None else None) for k, f in edge}
                    for i, row in enumerate(rows)
                ]
            elif field.name == "pageInfo":
                first_cursor, last = (
                    (cursor_of(rows[0][0], rows[0][1]), cursor_of(rows[-1][0], rows[-1][1])) if rows else (None, None)
                )
                page_info = {
                    "hasNextPage": more,
                    "endCursor": last,
                    "hasPreviousPage": after,
                    "startCursor": first_cursor,
                    "__typename": "PageInfo",
                }
                value[key] = {k: page_info[f.name] for k, f in self.opened[key]}
            elif field.name == "totalCount":
                value[key] = await queryset.count()
            else:
                value[key] = f"{self.type_name}Connection"
        return value

    def _edge_value(self, field: SelectedField, row: Any, cursor: str | None) -> Any:
        if field.name == "cursor":
            return cursor
        if field.name == "node":
            return orjson.Fragment(row[self.node_columns[id(field)]])
        return f"{self.type_name}Edge"


def _connection(shape: Shape, selections: list[Selection], statement: Statement) -> _Plan:
    type_name = shape.type_name
    plan = _Plan(type_name, _fields(f"{type_name}Connection", selections), {}, [], {})
    for key, field in plan.fields:
        if field.name not in ("edges", "pageInfo", "totalCount", "__typename"):
            raise _NotCompiled  # a field Connection may gain later
        if field.name == "pageInfo":
            plan.opened[key] = _fields("PageInfo", field.selections)
        if field.name != "edges":
            continue
        edge = plan.opened[key] = _fields(f"{type_name}Edge", field.selections)
        for _, edge_field in edge:
            if edge_field.name == "node":
                plan.node_columns[id(edge_field)] = 2 + len(plan.nodes)
                plan.nodes.append(_object(shape, edge_field.selections, "p", statement))
    return plan


def _object(shape: Shape, selections: list[Selection], alias: str, statement: Statement) -> str:
    parts: list[str] = []
    for key, field in _fields(shape.type_name, selections):
        spec = shape.fields.get(field.name)
        if field.name == "__typename":
            sql = f"'{shape.type_name}'"
        elif spec is None or field.arguments:
            raise _NotCompiled
        elif isinstance(spec, One):
            a = statement.alias()
            inner = _object(spec.shape, field.selections, a, statement)
            sql = f"(SELECT {inner} FROM {spec.table} {a} WHERE {spec.on.format(a=a, p=alias)})"
        elif isinstance(spec, Many):
            names = {"a": statement.alias(), "b": statement.alias(), "p": alias}
            inner = _object(spec.shape, field.selections, names["a"], statement)
            sql = (
                f"COALESCE((SELECT json_agg({inner} ORDER BY {spec.order.format(**names)})"
                f" FROM {spec.source.format(**names)} WHERE {spec.where.format(**names)}), '[]')"
            )
        else:
            sql = spec(alias, statement)
        parts.append(f"'{key}', {sql}")  # a GraphQL name needs no quoting
    if len(parts) > JSON_OBJECT_KEYS:
        raise _NotCompiled
    return f"json_build_object({', '.join(parts)})"


def _fields(type_name: str, selections: list[Selection]) -> list[tuple[str, SelectedField]]:
    """(response key, field) in the response's order, fragments on `type_name` opened;
    `_NotCompiled` for what only graphql-core decides (other fragments, other directives, a
    key selected twice, whose selections graphql-core would merge)."""
    found: dict[str, SelectedField] = {}
    for selection in selections:
        directives = selection.directives
        if directives.keys() - {"include", "skip"}:
            raise _NotCompiled
        if not directives.get("include", {"if": True})["if"] or directives.get("skip", {"if": False})["if"]:
            continue
        if isinstance(selection, SelectedField):
            opened = [(selection.alias or selection.name, selection)]
        elif selection.type_condition in (None, type_name):
            opened = _fields(type_name, selection.selections)
        else:
            raise _NotCompiled
        for key, field in opened:
            if key in found:
                raise _NotCompiled
            found[key] = field
    return list(found.items())
