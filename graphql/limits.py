"""What a GraphQL document may ask of the server, checked before it runs.

A document is refused by size before it is parsed (a megabyte of junk took seconds to parse
and stayed in the cache), by lexical tokens while it is parsed, and at validation by depth,
aliases and cost. Cost is one per field, and what a list field selects counts once per item
it may return: a page's `first` (`graphql_default_page` when absent or a variable), or
`LIST_ESTIMATE` items for a plain list such as a household's `members` or a node's `children`.
So `resident → household → members → household → …` or `children { parent { children … } }`
multiplies past the budget within a few levels, while a page of 100 households with their
members stays well inside it. Introspection (`__schema`, `__type`) is not counted: its size is
the schema's. Every refusal is a GraphQL error with `extensions.code` (TOO_LARGE, TOO_DEEP,
TOO_MANY_ALIASES, TOO_COMPLEX, FORBIDDEN for introspection).

Parsed and validated documents are kept in one bounded cache (`graphql_cache_entries`), keyed
by their text and filled only with documents that passed the size and token checks.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import cache, lru_cache
from typing import Any

from graphql import (
    DocumentNode,
    FieldNode,
    GraphQLError,
    GraphQLList,
    GraphQLSchema,
    InlineFragmentNode,
    IntValueNode,
    OperationDefinitionNode,
    SelectionSetNode,
    ValidationContext,
    ValidationRule,
    get_named_type,
    get_nullable_type,
    parse,
    specified_rules,
)
from strawberry import Schema
from strawberry.schema.schema import validate_document
from strawberry.types.execution import ExecutionContext, PreExecutionError

from redgrid.platform.limits import Limits, get_limits
from redgrid.platform.settings import Environment, get_settings

LIST_ESTIMATE = 10  # items a plain list (members, children, tags) counts as, for cost
INTROSPECTION_FIELDS = frozenset({"__schema", "__type"})


def limit_error(code: str, message: str) -> GraphQLError:
    return GraphQLError(message, extensions={"code": code})


def size_error(query: str) -> GraphQLError | None:
    """The refusal of a document too big to parse, judged without parsing it."""
    limit = get_limits().graphql_document_bytes
    if len(query) > limit or len(query.encode()) > limit:
        return limit_error("TOO_LARGE", f"the query document is larger than {limit} bytes")
    return None


def prepare(schema: GraphQLSchema, query: str) -> tuple[DocumentNode, list[GraphQLError]]:
    """The parsed document and its validation errors, computed once per distinct text (bounded
    cache); GraphQLError when it cannot be parsed or is refused before it is."""
    if (error := size_error(query)) is not None:
        raise error
    return _prepared()(schema, query)


@cache
def _prepared() -> Callable[[GraphQLSchema, str], tuple[DocumentNode, list[GraphQLError]]]:
    limits = get_limits()
    rules = (*specified_rules, *limit_rules(limits))

    def prepare_document(schema: GraphQLSchema, query: str) -> tuple[DocumentNode, list[GraphQLError]]:
        try:
            document = parse(query, max_tokens=limits.graphql_tokens)
        except GraphQLError as exc:
            if "Parsing aborted" in exc.message:  # graphql-core's own limits: tokens, nesting
                code = "TOO_DEEP" if "nested" in exc.message else "TOO_LARGE"
                raise limit_error(code, exc.message.removeprefix("Syntax Error: ")) from None
            raise
        return document, validate_document(schema, document, rules)

    return lru_cache(maxsize=limits.graphql_cache_entries)(prepare_document)


def limit_rules(limits: Limits) -> tuple[type[ValidationRule], ...]:
    """The validation rules of the depth, alias and cost limits."""

    class AliasLimit(ValidationRule):
        def __init__(self, context: ValidationContext) -> None:
            super().__init__(context)
            self.aliases = 0

        def enter_field(self, node: FieldNode, *_: Any) -> None:
            if node.alias is not None:
                self.aliases += 1
                if self.aliases == limits.graphql_aliases + 1:
                    self.report_error(limit_error(
                        "TOO_MANY_ALIASES", f"the query has more than {limits.graphql_aliases} aliases"))

    class DepthAndCostLimit(ValidationRule):
        def enter_operation_definition(self, node: OperationDefinitionNode, *_: Any) -> None:
            root = self.context.schema.get_root_type(node.operation)
            if root is None:
                return
            cost, depth = _Measure(self.context, limits).selections(node.selection_set, root, 1)
            if depth > limits.graphql_depth:
                self.report_error(limit_error(
                    "TOO_DEEP", f"the query nests fields deeper than {limits.graphql_depth}"))
            elif cost > limits.graphql_cost:
                self.report_error(limit_error(
                    "TOO_COMPLEX",
                    f"the query may cost more than {limits.graphql_cost} (lists count once per item they may "
                    f"return: ask smaller pages or fewer nested lists)",
                ))

    return AliasLimit, DepthAndCostLimit


class _Measure:
    """Cost and depth of an operation, through its fragments: each fragment is measured once
    (a fragment spread twice in one spread twice in … is no exponential walk), and a walk stops
    once past either limit, so measuring a pathological document costs no more than a refused one."""

    def __init__(self, context: ValidationContext, limits: Limits) -> None:
        self.context = context
        self.limits = limits
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
                typed = self.context.schema.get_type(condition.name.value) if condition else parent
                measured = self.selections(selection.selection_set, typed or parent, level)
            else:
                measured = self._fragment(selection.name.value, level)
            cost, depth = cost + measured[0], max(depth, measured[1])
            if cost > self.limits.graphql_cost or level + depth - 1 > self.limits.graphql_depth:
                break
        return cost, depth

    def _fragment(self, name: str, level: int) -> tuple[int, int]:
        if name in self._fragments:
            return self._fragments[name]
        fragment = self.context.get_fragment(name)
        if fragment is None or name in self._spreading:
            return 0, 0  # unknown or cyclic: graphql-core's own rules report it
        self._spreading.add(name)
        try:
            typed = self.context.schema.get_type(fragment.type_condition.name.value)
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
        if definition is None or node.selection_set is None:
            return 1, 1  # a leaf (__typename too), or a field graphql-core reports as unknown
        cost, depth = self.selections(node.selection_set, get_named_type(definition.type), level + 1)
        return 1 + self._items(node, definition, parent) * cost, 1 + depth

    def _items(self, node: FieldNode, definition: Any, parent: Any) -> int:
        """How many times what the field selects may be returned."""
        if "first" in definition.args:
            given = next((a.value for a in node.arguments or () if a.name.value == "first"), None)
            return int(given.value) if isinstance(given, IntValueNode) else self.limits.graphql_default_page
        if isinstance(get_nullable_type(definition.type), GraphQLList):
            in_page = getattr(parent, "name", "").endswith("Connection")
            return 1 if in_page else LIST_ESTIMATE  # a page's edges were counted by its `first`
        return 1


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
        if (refused := self._prepare(context)) is not None:
            return refused
        return await super()._prepare_operation_async(context, extensions_runner)

    def _prepare(self, context: ExecutionContext) -> PreExecutionError | None:
        if not context.query or context.graphql_document is not None:
            return None
        try:
            document, errors = prepare(self._schema, context.query)
        except GraphQLError as error:
            context.pre_execution_errors = [error]
            return PreExecutionError(data=None, errors=[error])
        context.graphql_document = document
        refused = introspection_error(document, signed_in(context.context))
        context.pre_execution_errors = [*errors, refused] if refused else list(errors)
        return None


def signed_in(context: Any) -> bool:
    ctx = getattr(context, "ctx", None)
    return getattr(ctx, "identity", None) is not None
