"""Per-request DataLoaders: a field that follows a relation from each row of a list asks its
loader, and the loader fetches every row of the page at once (one query per relation, however
long the page)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from typing import Any

from strawberry.dataloader import DataLoader
from tortoise.models import Model

from redgrid.platform.context import RequestContext


class Loaders:
    def __init__(self, ctx: RequestContext) -> None:
        self._ctx = ctx
        self._loaders: dict[tuple[Any, ...], DataLoader[Any, Any]] = {}

    def _tenant_filter(self, model: type[Model]) -> dict[str, Any]:
        return {"tenant_id": self._ctx.tenant_id} if "tenant" in model._meta.fields_map else {}

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
                rows = await model.filter(
                    **{f"{fk}__in": list(parent_ids)}, **self._tenant_filter(model)
                ).order_by(order)
                grouped: dict[int, list[Any]] = defaultdict(list)
                for row in rows:
                    grouped[getattr(row, fk)].append(row)
                return [grouped.get(p, []) for p in parent_ids]

            self._loaders[key] = DataLoader(load_fn=load)
        return self._loaders[key]
