"""graphql-core's executor with a short way for plain leaf fields, and for objects of them.

A page of 100 households with their members completes about 2,200 fields, and most are plain
attributes (`name`, `address`, `tags`): strawberry resolves them without an `Info`, yet
graphql-core still builds a resolve info, checks for awaitables and walks `complete_value` for
each one, about 15 µs a field (bench/registers.py). Here a field whose resolver is strawberry's
basic attribute read, with no arguments or directives and a scalar, enum or list-of-those
type, is read and coerced directly, with graphql-core's own `complete_leaf_value`. Anything
unusual on the way (an exception, a null where the type forbids one, a value that is not a
list) goes graphql-core's whole way instead, which words the error as it always did: the
attribute read has no side effects, so reading it twice is harmless.

An object whose selected fields are all such leaves (a member's `name idNumber phone tags`, a
node's `name path`; `__typename` too) is completed as one dict, without graphql-core's
per-object sub-field collection and per-field calls: 6% off that page (300 members, 100 nodes
and organisations among its 640 objects), measured in one process against the leaf way alone.
"""

from __future__ import annotations

from typing import Any, NamedTuple

from graphql import (
    GraphQLLeafType,
    GraphQLObjectType,
    GraphQLResolveInfo,
    get_nullable_type,
    is_leaf_type,
    is_list_type,
    is_non_null_type,
)
from graphql.execution.collect_fields import FieldDetailsList
from graphql.pyutils import Path
from strawberry.schema.schema import StrawberryGraphQLCoreExecutionContext

from redgrid.graphql.core.compiled import Completed

# strawberry's name for the resolver of a field without a resolver, extensions or exception
# handlers (`is_basic_field`): it reads the attribute and ignores `info`.
BASIC_RESOLVER = "_get_basic_result"


class _Leaf(NamedTuple):
    resolve: Any
    nullable: bool
    leaf: GraphQLLeafType | None  # the type of a single value, or None for a list
    items: GraphQLLeafType | None  # the item type of a list
    items_nullable: bool


class _Unusual(Exception):
    """A value the short way leaves to graphql-core."""


class PlainLeafExecutor(StrawberryGraphQLCoreExecutionContext):
    """Completes plain leaf fields without graphql-core's per-field machinery."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # Plans by (parent type, field node): the same on every row of a list, and on every
        # event of a subscription, whose per-event executors share this dict. The schema and
        # the operation this executor holds keep both alive, so their ids are not reused.
        self._leaves: dict[tuple[int, int], _Leaf | None] = {}
        self._objects: dict[tuple[int, ...], list[tuple[str, _Leaf | None]] | None] = {}  # likewise
        # A middleware (a schema extension with a `resolve` hook) must see every field.
        self._short_way = not getattr(self.middleware_manager, "middlewares", None)

    def build_per_event_executor(self, payload: Any) -> Any:
        executor = super().build_per_event_executor(payload)
        # graphql-core memoizes sub-field collection by the root field list, which is new for
        # every event, in a dict the per-event copies share; in the copy's own, a subscription
        # open for hours no longer keeps an entry per event it rendered.
        executor._relevant_sub_fields = {}
        return executor

    def execute_field(
        self,
        parent_type: GraphQLObjectType,
        source: Any,
        field_details_list: FieldDetailsList,
        path: Path,
        position_context: Any,
    ) -> Any:
        plan = self._leaf_plan(parent_type, field_details_list) if self._short_way else None
        if plan is not None:
            try:
                return self._value(plan, source)
            except Exception:  # noqa: BLE001 - graphql-core's way below reports it properly
                pass
        return super().execute_field(parent_type, source, field_details_list, path, position_context)

    def complete_object_value(
        self,
        return_type: GraphQLObjectType,
        field_details_list: FieldDetailsList,
        info: GraphQLResolveInfo,
        path: Path,
        result: Any,
        position_context: Any,
    ) -> Any:
        """An object whose selected fields are all plain leaves (a member's `name idNumber
        phone tags`) is completed here, without graphql-core's per-object collection and
        per-field calls; anything unusual completes it again graphql-core's whole way. A value
        a resolver had PostgreSQL shape (graphql/core/compiled.py) is complete already."""
        if type(result) is Completed:
            return result.value
        # Under a deferred fragment (`position_context`) graphql-core splits the sub-fields
        # between payloads: only its own way does that.
        if self._short_way and position_context is None:
            key = (id(return_type), *[id(details.node) for details in field_details_list])
            try:
                plan = self._objects[key]
            except KeyError:
                plan = self._objects[key] = self._object_plan(return_type, field_details_list)
            if plan is not None and (return_type.is_type_of is None or return_type.is_type_of(result, info) is True):
                try:
                    return {
                        name: self._value(leaf, result) if leaf is not None else return_type.name for name, leaf in plan
                    }
                except Exception:  # noqa: BLE001 - graphql-core's way below reports it properly
                    pass
        return super().complete_object_value(return_type, field_details_list, info, path, result, position_context)

    def _value(self, plan: _Leaf, source: Any) -> Any:
        """A plain leaf field's completed value; `_Unusual` (or what reading it raised) where
        graphql-core must decide."""
        value = plan.resolve(source, None)
        if value is None:
            if plan.nullable:
                return None
        elif plan.leaf is not None:
            return self._leaf(plan.leaf, value)
        elif isinstance(value, list | tuple):
            completed = [None if v is None else self._leaf(plan.items, v) for v in value]  # type: ignore[arg-type]
            if plan.items_nullable or None not in completed:
                return completed
        raise _Unusual

    def _object_plan(
        self, return_type: GraphQLObjectType, field_details_list: FieldDetailsList
    ) -> list[tuple[str, _Leaf | None]] | None:
        """(response key, leaf plan) for each field selected, None for `__typename`; or None
        when one of them is not a plain leaf or a fragment is deferred."""
        grouped, deferred, _ = self.collect_subfields(return_type, field_details_list)
        if deferred:
            return None
        plan: list[tuple[str, _Leaf | None]] = []
        for name, details in grouped.items():
            if details[0].node.name.value == "__typename" and not details[0].node.directives:
                plan.append((name, None))
                continue
            leaf = self._leaf_plan(return_type, details)
            if leaf is None:
                return None
            plan.append((name, leaf))
        return plan

    def _leaf(self, of_type: GraphQLLeafType, value: Any) -> Any:
        """`complete_leaf_value`, for the values graphql-core would hand it: an exception it
        raises as the field's error, an awaitable it awaits first (both go the whole way)."""
        if isinstance(value, Exception) or self.is_awaitable(value):
            raise _Unusual
        return self.complete_leaf_value(of_type, value)

    def _leaf_plan(self, parent_type: GraphQLObjectType, field_details_list: FieldDetailsList) -> _Leaf | None:
        key = (id(parent_type), id(field_details_list[0].node))
        try:
            return self._leaves[key]
        except KeyError:
            plan = self._leaves[key] = self._plan(parent_type, field_details_list)
            return plan

    def _plan(self, parent_type: GraphQLObjectType, field_details_list: FieldDetailsList) -> _Leaf | None:
        node = field_details_list[0].node
        field_def = self.schema.get_field(parent_type, node.name.value)
        # A basic field has no arguments (no resolver to take them); directives are left alone.
        if field_def is None or node.directives or getattr(field_def.resolve, "__name__", None) != BASIC_RESOLVER:
            return None
        nullable, of_type = not is_non_null_type(field_def.type), get_nullable_type(field_def.type)
        if is_leaf_type(of_type):
            return _Leaf(field_def.resolve, nullable, of_type, None, False)
        if is_list_type(of_type):
            items_nullable, item = not is_non_null_type(of_type.of_type), get_nullable_type(of_type.of_type)
            if is_leaf_type(item):
                return _Leaf(field_def.resolve, nullable, None, item, items_nullable)
        return None
