"""Per-request DataLoaders: a field that follows a relation from each row of a list asks its
loader, and the loader fetches every row of the page at once (one query per relation, however
long the page).

A list resolver may also fill the loaders for its page before the rows are completed (`fill`;
`selected` tells it which relations the query asks for), and the relation fields answer with
`now_or_later`: a plain value when the loader already holds it. graphql-core then completes
the rows without an awaitable, so without a task per row and field: on a page of 100
households with their members that was most of the time (bench/registers.py)."""

from __future__ import annotations

import asyncio
import inspect
from collections import defaultdict
from collections.abc import Awaitable, Callable, Sequence
from typing import Any, TypeVar, cast

import strawberry
from strawberry.dataloader import DataLoader
from strawberry.types.nodes import SelectedField, Selection
from tortoise.models import Model

from redgrid.platform.context import RequestContext

T = TypeVar("T")
R = TypeVar("R")
K = TypeVar("K")
V = TypeVar("V")


def now_or_later(loaded: Awaitable[T], then: Callable[[T], R | Awaitable[R]]) -> R | Awaitable[R]:
    """`then(value)` at once when `loaded` (a DataLoader's future) is already resolved, else an
    awaitable of it; `then` may itself answer now or later. For fields declared `def`:
    graphql-core awaits what it is given only when it is awaitable."""
    if isinstance(loaded, asyncio.Future) and loaded.done():
        return then(loaded.result())

    async def later() -> R:
        answer = then(await loaded)
        return await answer if inspect.isawaitable(answer) else answer

    return later()


def all_now_or_later(loaded: list[Awaitable[T]], then: Callable[[list[T]], R]) -> R | Awaitable[R]:
    """`now_or_later` for several loads (`load_many`'s gathering future is never ready at once)."""
    if all(isinstance(f, asyncio.Future) and f.done() for f in loaded):
        return then([f.result() for f in loaded])  # type: ignore[attr-defined]

    async def later() -> R:
        return then(list(await asyncio.gather(*loaded)))

    return later()


async def fill(loader: DataLoader[K, V], keys: Sequence[K]) -> list[V]:
    """`loader.load_many(keys)` for a list resolver filling its page: one call of the loader's
    batch function, its answers put in the cache as ready values. `load_many` makes a future,
    a gather entry and a batch entry per key, and for a page's 300 members that machinery took
    longer than the query (3 ms more, bench/registers.py). Keys the loader already holds are
    not asked again."""
    found: dict[K, V] = {}
    for key in keys:
        held = loader.cache_map.get(key)
        if held is not None and held.done() and not held.cancelled() and held.exception() is None:
            found[key] = held.result()
    missing = [key for key in dict.fromkeys(keys) if key not in found]
    if missing:
        fetched = dict(zip(missing, await loader.load_fn(missing), strict=True))
        failed = next((value for value in fetched.values() if isinstance(value, BaseException)), None)
        if failed is not None:  # a batch function's answer for one key: `load_many` would raise it
            raise failed
        ready = cast("dict[K, V]", fetched)  # no exception among them, just checked
        loader.prime_many(ready)  # a key asked for meanwhile keeps its own future: the same rows
        found.update(ready)
    return [found[key] for key in keys]


def selected(info: strawberry.Info, *path: str) -> dict[str, list[Selection]]:
    """The fields the query selects under `path` below the current field (e.g. "edges", "node"
    for a connection's rows), through fragments: by name, each with what it selects in turn
    (for `below`). strawberry converts the whole query's selections each time it is asked."""
    return below([child for field in info.selected_fields for child in field.selections], *path)


def below(selections: list[Selection], *path: str) -> dict[str, list[Selection]]:
    """`selected`, from selections already in hand."""
    level = selections
    for name in path:
        level = [child for field in _fields(level) if field.name == name for child in field.selections]
    found: dict[str, list[Selection]] = {}
    for field in _fields(level):
        found.setdefault(field.name, []).extend(field.selections)
    return found


def _fields(selections: list[Selection]) -> list[SelectedField]:
    """Fields, with inline fragments and fragment spreads opened."""
    out: list[SelectedField] = []
    for s in selections:
        out += [s] if isinstance(s, SelectedField) else _fields(s.selections)
    return out


class Loaders:
    def __init__(self, ctx: RequestContext) -> None:
        self._ctx = ctx
        self._loaders: dict[tuple[Any, ...], DataLoader[Any, Any]] = {}
        self._once: dict[str, asyncio.Future[Any]] = {}

    def once(self, key: str, make: Callable[[], Awaitable[T]]) -> asyncio.Future[T]:
        """`make()`'s result, computed once per operation however many fields ask: thirty
        aliases of `keyFigures` were thirty rounds of counts in one transaction."""
        if key not in self._once:
            self._once[key] = asyncio.ensure_future(make())
        return self._once[key]

    def _tenant_filter(self, model: type[Model]) -> dict[str, Any]:
        if "tenant" not in model._meta.fields_map:
            return {}
        ctx = self._ctx
        if ctx.tenant is None and ctx.department_id is not None:  # a district department's staff
            lookup: str | None = getattr(model, "department_lookup", None)  # on TenantOwned
            return {lookup: ctx.department_id} if lookup else {"tenant_id": None}
        return {"tenant_id": ctx.tenant_id}

    def by_id(self, model: type[Model]) -> DataLoader[int, Any]:
        """`load(id)` gives the row or None."""
        key = ("id", model)
        if key not in self._loaders:

            async def load(ids: Sequence[int]) -> list[Any]:
                rows = await model.filter(id__in=list(ids), **self._tenant_filter(model))
                found = {row.pk: row for row in rows}
                return [found.get(i) for i in ids]

            self._loaders[key] = DataLoader(load_fn=load)
        return self._loaders[key]

    def many(self, model: type[Model], fk: str, order: str = "id") -> DataLoader[int, list[Any]]:
        """`load(parent_id)` gives the rows whose `fk` (e.g. "household_id") is parent_id."""
        key = ("many", model, fk, order)
        if key not in self._loaders:

            async def load(parent_ids: Sequence[int]) -> list[list[Any]]:
                rows = await model.filter(**{f"{fk}__in": list(parent_ids)}, **self._tenant_filter(model)).order_by(
                    order, "id"
                )  # ties in id order, as compiled pages give them
                grouped: dict[int, list[Any]] = defaultdict(list)
                for row in rows:
                    grouped[getattr(row, fk)].append(row)
                return [grouped.get(p, []) for p in parent_ids]

            self._loaders[key] = DataLoader(load_fn=load)
        return self._loaders[key]
