"""What a GraphQL document may ask of the server, checked before it runs.

A document is refused by size before it is parsed (a megabyte of junk took seconds to parse
and stayed in the cache), by lexical tokens while it is parsed, then by our own checks —
fields per selection set and in all, aliases, depth and cost — and only once it passes those by
graphql-core's standard rules, some of which are quadratic (OverlappingFieldsCanBeMerged took
1.1 s over one field repeated 1,980 times in one selection set).

Cost is one per field (`FIELD_COST` for the few that aggregate a whole tenant), and what a
list field selects counts once per item it may return: a page's `first` (`graphql_default_page`
when absent; when a variable, the request's value, so the cost is measured again per request),
or `LIST_ESTIMATE` items for a plain list such as a household's `members` or a node's `children`.
So `resident → household → members → household → …` or `children { parent { children … } }`
multiplies past the budget within a few levels, while a page of 100 households with their
members stays well inside it. Introspection (`__schema`, `__type`) is not counted: its size is
the schema's. Every refusal is a GraphQL error with `extensions.code` (TOO_LARGE, TOO_DEEP,
TOO_MANY_ALIASES, TOO_COMPLEX, FORBIDDEN for introspection). The cost of an operation that runs
is charged to its caller's cost budget (`rate_cost`, through the context's `charge_cost`).

Parsed and validated documents are kept in one bounded cache (`graphql_cache_entries`), keyed
by their text and filled only with documents that passed the size and token checks.
"""

from __future__ import annotations

import asyncio
from collections.abc import Mapping
from functools import cache
from typing import Any, NamedTuple, cast

from graphql import (
    DocumentNode,
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLError,
    GraphQLList,
    GraphQLSchema,
    InlineFragmentNode,
    IntValueNode,
    OperationDefinitionNode,
    SelectionSetNode,
    Source,
    VariableNode,
    get_named_type,
    get_nullable_type,
    parse,
    specified_rules,
)
from strawberry import Schema
from strawberry.schema.schema import validate_document
from strawberry.types.execution import ExecutionContext, PreExecutionError

from redgrid.graphql.core.documents import DocumentCache, PreparationFailed, Preparer
from redgrid.platform.limits import Limits, get_limits
from redgrid.platform.ratelimit import RateLimited
from redgrid.platform.settings import Environment, get_settings

LIST_ESTIMATE = 10  # items a plain list (members, children, tags) counts as, for cost
INTROSPECTION_FIELDS = frozenset({"__schema", "__type"})
# Fields that aggregate over the whole tenant, at what they cost rather than 1: keyFigures runs
# eight counts per alias (twenty aliases were 160 queries a request, at cost 1,020).
FIELD_COST = {"keyFigures": 1000}


def limit_error(code: str, message: str) -> GraphQLError:
    return GraphQLError(message, extensions={"code": code})


class Prepared(NamedTuple):
    """A parsed document, its validation errors, and the cost of its costliest operation
    (a variable `first` at the default page); `paged_by_variable` when that cost must be
    measured again with each request's variables."""

    document: DocumentNode
    errors: list[GraphQLError]
    cost: int
    paged_by_variable: bool


def size_error(query: str) -> GraphQLError | None:
    """The refusal of a document too big to parse, judged without parsing it."""
    limit = get_limits().graphql_document_bytes
    if len(query) > limit or len(query.encode()) > limit:
        return limit_error("TOO_LARGE", f"the query document is larger than {limit} bytes")
    return None


def prepare(schema: GraphQLSchema, query: str) -> Prepared:
    """The parsed document and its validation errors, computed once per distinct text (bounded
    cache, on this thread); GraphQLError when it cannot be parsed or is refused before it is."""
    if (error := size_error(query)) is not None:
        raise error
    if (known := document_cache().get(query)) is not None:
        return known
    prepared = prepare_document(schema, query)
    document_cache().put(query, prepared)
    return prepared


async def prepare_off_loop(schema: GraphQLSchema, query: str, preparer: Preparer) -> Prepared:
    """As `prepare`, but a text the cache has not seen is prepared by `preparer`, in a worker
    process (graphql/core/documents.py)."""
    if (error := size_error(query)) is not None:
        raise error
    if (known := document_cache().get(query)) is not None:
        return known
    try:
        document, errors, cost, paged_by_variable = await preparer.run(query)
    except PreparationFailed as exc:
        raise limit_error("UNREADABLE", str(exc)) from None
    source = Source(query)
    prepared = Prepared(
        document,
        [GraphQLError(m, source=source, positions=p, extensions=x) for m, p, x in errors],
        cost,
        paged_by_variable,
    )
    document_cache().put(query, prepared)
    return prepared


def prepared_for_transfer(schema: GraphQLSchema, query: str) -> tuple[DocumentNode, list[Any], int, bool]:
    """`prepare_document` in a worker process, its errors as plain values: a GraphQLError loses
    its positions and extensions when pickled."""
    document, errors, cost, paged_by_variable = prepare_document(schema, query)
    return document, [(e.message, e.positions, e.extensions) for e in errors], cost, paged_by_variable


@cache
def document_cache() -> DocumentCache[Prepared]:
    """Prepared documents by text: only documents that passed the size and token checks."""
    return DocumentCache(get_limits().graphql_cache_entries)


def prepare_document(schema: GraphQLSchema, query: str) -> Prepared:
    """Parse (within the token limit), apply our limits, then graphql-core's rules."""
    limits = get_limits()
    try:
        document = parse(query, max_tokens=limits.graphql_tokens)
    except GraphQLError as exc:
        if "Parsing aborted" in exc.message:  # graphql-core's own limits: tokens, nesting
            code = "TOO_DEEP" if "nested" in exc.message else "TOO_LARGE"
            raise limit_error(code, exc.message.removeprefix("Syntax Error: ")) from None
        raise
    errors, cost, paged_by_variable = check(schema, document, limits)
    if not errors:  # graphql-core's rules only for what is within our limits: they are not all linear
        errors = validate_document(schema, document, specified_rules)
    return Prepared(document, errors, cost, paged_by_variable)


def check(
    schema: GraphQLSchema,
    document: DocumentNode,
    limits: Limits,
    variables: Mapping[str, Any] | None = None,
) -> tuple[list[GraphQLError], int, bool]:
    """Our limits, in time linear in the document: its errors (at most one), the cost of its
    costliest operation and whether a variable `first` was costed at the default page."""
    if (error := shape_error(document, limits)) is not None:
        return [error], 0, False
    measure = _Measure(schema, document, limits, variables)
    cost = 0
    for definition in document.definitions:
        if not isinstance(definition, OperationDefinitionNode):
            continue
        root = schema.get_root_type(definition.operation)
        if root is None:
            continue
        measured, depth = measure.selections(definition.selection_set, root, 1)
        if depth > limits.graphql_depth:
            return [limit_error("TOO_DEEP", f"the query nests fields deeper than {limits.graphql_depth}")], 0, False
        if measured > limits.graphql_cost:
            return (
                [
                    limit_error(
                        "TOO_COMPLEX",
                        f"the query may cost more than {limits.graphql_cost} (lists count once per item they may "
                        f"return: ask smaller pages or fewer nested lists)",
                    )
                ],
                0,
                False,
            )
        cost = max(cost, measured)
    return [], cost, measure.paged_by_variable


def shape_error(document: DocumentNode, limits: Limits) -> GraphQLError | None:
    """Fields per selection set, fields in all, aliases and merges, counted as written (a fragment
    once, however often it is spread): what bounds the work of graphql-core's rules. A merge is a
    pair in one selection set of fields with the same response name, or of fragments, which
    OverlappingFieldsCanBeMerged compares with each other down through what they select."""
    fields = aliases = merges = widest = 0
    stack: list[Any] = list(document.definitions)
    while stack:
        node = stack.pop()
        selection_set = getattr(node, "selection_set", None)
        if selection_set is None:
            continue
        selections = selection_set.selections
        widest = max(widest, len(selections))
        seen: dict[str, int] = {}
        for selection in selections:
            if isinstance(selection, FieldNode):
                fields += 1
                aliases += selection.alias is not None
                name = (selection.alias or selection.name).value
            else:
                name = "..."  # every fragment may select what another one does
            merges += seen.get(name, 0)
            seen[name] = seen.get(name, 0) + 1
        stack.extend(selections)
    if aliases > limits.graphql_aliases:
        return limit_error("TOO_MANY_ALIASES", f"the query has more than {limits.graphql_aliases} aliases")
    if widest > limits.graphql_fields_per_set:
        return limit_error("TOO_COMPLEX", f"a selection set has more than {limits.graphql_fields_per_set} fields")
    if fields > limits.graphql_fields:
        return limit_error("TOO_COMPLEX", f"the query has more than {limits.graphql_fields} fields")
    if merges > limits.graphql_merges:
        return limit_error(
            "TOO_COMPLEX",
            f"the query repeats fields or fragments in one selection set more than "
            f"{limits.graphql_merges} times over (each pair counts)",
        )
    return None


class _Measure:
    """Cost and depth of an operation, through its fragments: each fragment is measured once
    (a fragment spread twice in one spread twice in … is no exponential walk), and a walk stops
    once past either limit, so measuring a pathological document costs no more than a refused one."""

    def __init__(
        self, schema: GraphQLSchema, document: DocumentNode, limits: Limits, variables: Mapping[str, Any] | None
    ) -> None:
        self.schema = schema
        self.limits = limits
        self.variables = variables
        self.paged_by_variable = False
        self._definitions = {d.name.value: d for d in document.definitions if isinstance(d, FragmentDefinitionNode)}
        self._fragments: dict[str, tuple[int, int]] = {}
        self._spreading: set[str] = set()

    def selections(self, selection_set: SelectionSetNode, parent: Any, level: int) -> tuple[int, int]:
        """(cost, depth) of a selection set whose fields are at `level`: depth counts the levels
        of fields from this one down."""
        cost = depth = 0
        for selection in selection_set.selections:
            if isinstance(selection, FieldNode):
                measured = self._field(selection, parent, level)
            elif isinstance(selection, InlineFragmentNode):
                condition = selection.type_condition
                typed = self.schema.get_type(condition.name.value) if condition else parent
                measured = self.selections(selection.selection_set, typed or parent, level)
            else:  # the only other kind of selection
                measured = self._fragment(cast(FragmentSpreadNode, selection).name.value, level)
            cost, depth = cost + measured[0], max(depth, measured[1])
            if cost > self.limits.graphql_cost or level + depth - 1 > self.limits.graphql_depth:
                break
        return cost, depth

    def _fragment(self, name: str, level: int) -> tuple[int, int]:
        if name in self._fragments:
            return self._fragments[name]
        fragment = self._definitions.get(name)
        if fragment is None or name in self._spreading:
            return 0, 0  # unknown or cyclic: graphql-core's own rules report it
        self._spreading.add(name)
        try:
            typed = self.schema.get_type(fragment.type_condition.name.value)
            measured = self._fragments[name] = self.selections(fragment.selection_set, typed, level)
        finally:
            self._spreading.discard(name)
        return measured

    def _field(self, node: FieldNode, parent: Any, level: int) -> tuple[int, int]:
        if node.name.value in INTROSPECTION_FIELDS:
            return 1, 0
        if level > self.limits.graphql_depth:
            return 1, 1  # too deep already: no need to walk (or recurse) further
        definition = (getattr(parent, "fields", None) or {}).get(node.name.value)
        own = FIELD_COST.get(node.name.value, 1)
        if definition is None or node.selection_set is None:
            return own, 1  # a leaf (__typename too), or a field graphql-core reports as unknown
        cost, depth = self.selections(node.selection_set, get_named_type(definition.type), level + 1)
        return own + self._items(node, definition, parent) * cost, 1 + depth

    def _items(self, node: FieldNode, definition: Any, parent: Any) -> int:
        """How many times what the field selects may be returned."""
        if "first" in definition.args:
            given = next((a.value for a in node.arguments or () if a.name.value == "first"), None)
            if isinstance(given, IntValueNode):
                return int(given.value)
            if isinstance(given, VariableNode):
                return self._page_of(given.name.value)
            return self.limits.graphql_default_page
        if isinstance(get_nullable_type(definition.type), GraphQLList):
            in_page = getattr(parent, "name", "").endswith("Connection")
            return 1 if in_page else LIST_ESTIMATE  # a page's edges were counted by its `first`
        return 1

    def _page_of(self, variable: str) -> int:
        """A variable `first`: the request's value when known, else the default page (and the
        request is measured again with its values)."""
        if self.variables is None:
            self.paged_by_variable = True
            return self.limits.graphql_default_page
        value = self.variables.get(variable)
        return value if isinstance(value, int) and value > 0 else self.limits.graphql_default_page


def introspection_error(document: DocumentNode, signed_in: bool) -> GraphQLError | None:
    """The refusal of `__schema` / `__type` to this caller, if the policy refuses it: anyone may
    introspect in development; in production as `graphql_introspection` says."""
    if get_settings().env is Environment.DEVELOPMENT:
        return None
    policy = get_limits().graphql_introspection
    if policy == "anyone" or (policy == "authenticated" and signed_in):
        return None
    if not _introspects(document):
        return None
    who = "nobody" if policy == "nobody" else "signed-in callers only"
    return limit_error("FORBIDDEN", f"schema introspection is open to {who}")


def _introspects(document: DocumentNode) -> bool:
    stack: list[Any] = list(document.definitions)
    while stack:
        node = stack.pop()
        if isinstance(node, FieldNode) and node.name.value in INTROSPECTION_FIELDS:
            return True
        selection_set = getattr(node, "selection_set", None)
        if selection_set is not None:
            stack.extend(selection_set.selections)
    return False


class LimitedSchema(Schema):
    """strawberry's Schema with every operation (HTTP, both websocket protocols) prepared by
    `prepare`: refused by size before it is parsed, parsed and validated with our rules once per
    distinct text, introspection refused as the policy says. (strawberry's ParserCache and
    ValidationCache cannot refuse before parsing; this overrides the one step both its async
    paths, execute and stream, go through.)"""

    async def _prepare_operation_async(self, context: ExecutionContext, extensions_runner: Any) -> Any:
        if (refused := await self._prepare(context)) is not None:
            context.pre_execution_errors = refused.errors
            return refused
        return await super()._prepare_operation_async(context, extensions_runner)

    # `module:function` that prepares a text with this schema in a worker process (see
    # `prepared_for_transfer`); None: on the event loop.
    prepared_by: str | None = None
    _preparer: Preparer | None = None

    def preparer(self) -> Preparer:
        if self._preparer is None:
            workers = get_limits().graphql_prepare_workers if self.prepared_by else 0
            self._preparer = Preparer(self.prepared_by or "", workers)
        return self._preparer

    async def warm(self) -> None:
        """Start the worker processes now, so that the first document they prepare does not wait
        for them to import the schema."""
        preparer = self.preparer()
        if preparer.workers > 0:
            await asyncio.gather(*(preparer.run("{ __typename }") for _ in range(preparer.workers)))

    def close(self) -> None:
        """Stop the worker processes, if any were started."""
        if self._preparer is not None:
            self._preparer.close()
            self._preparer = None

    async def _prepare(self, context: ExecutionContext) -> PreExecutionError | None:
        if not context.query or context.graphql_document is not None:
            return None
        try:
            preparer = self.preparer()
            if preparer.workers > 0:
                prepared = await prepare_off_loop(self._schema, context.query, preparer)
            else:
                prepared = prepare(self._schema, context.query)
            document, errors, cost, paged_by_variable = prepared
            if not errors and paged_by_variable:  # a cheap walk: the limits bound the document
                errors, cost, _ = check(self._schema, document, get_limits(), context.variables or {})
            if not errors:
                await charge_cost(context.context, cost)
        except GraphQLError as error:
            return PreExecutionError(data=None, errors=[error])
        except RateLimited as exc:
            refusal = GraphQLError(
                str(exc), extensions={"code": "RATE_LIMITED", "retryAfter": exc.retry_after}, original_error=exc
            )
            return PreExecutionError(data=None, errors=[refusal])
        context.graphql_document = document
        if context.variables:
            context.variables = declared_only(document, context.variables)
        refused = introspection_error(document, signed_in(context.context))
        context.pre_execution_errors = [*errors, refused] if refused else list(errors)
        return None


def declared_only(document: DocumentNode, variables: dict[str, Any]) -> dict[str, Any]:
    """The variables the document declares: graphql-core ignores the others, and nothing after
    this should walk them (a megabyte of unused strings cost the text check 0.1 s)."""
    declared = {
        definition.variable.name.value
        for operation in document.definitions
        if isinstance(operation, OperationDefinitionNode)
        for definition in operation.variable_definitions or ()
    }
    return {name: value for name, value in variables.items() if name in declared}


async def charge_cost(context: Any, cost: int) -> None:
    """Charge an operation's cost to its caller's budget, when the context knows how (the
    GraphQL view's does: graphql/core/context.py); RateLimited when it is spent."""
    charge = getattr(context, "charge_cost", None)
    if charge is not None:
        await charge(cost)


def signed_in(context: Any) -> bool:
    ctx = getattr(context, "ctx", None)
    return getattr(ctx, "identity", None) is not None
