"""Per-request DataLoaders: every unit or designation list a query touches is read in one batch.

A page of 100 units asking each unit's designations makes one ``designations_of`` call, not 100;
a bank check asking each answer's unit makes one ``units_by_ids`` call. Loaders live in the
request's context and die with it, so nothing is cached across requests.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Awaitable, Callable, Sequence
from datetime import date, datetime
from typing import Any
from uuid import UUID

from starlette.concurrency import run_in_threadpool
from strawberry.dataloader import DataLoader

from greenreg.projections.queries import Queries
from greenreg.projections.views import DesignationView, UnitView

DesignationsKey = tuple[UUID, date | None, datetime | None]
Run = Callable[..., Awaitable[Any]]
"""Runs a query off the event loop: the request's reader, or a worker thread."""


class Loaders:
    """The DataLoaders of one request."""

    def __init__(self, queries: Queries, run: Run = run_in_threadpool) -> None:
        """``run`` reads off the event loop: the request's reader, as served."""
        self.queries = queries
        self.run = run
        self.units: DataLoader[UUID, UnitView | None] = DataLoader(load_fn=self._units)
        self.designations: DataLoader[DesignationsKey, list[DesignationView]] = DataLoader(
            load_fn=self._designations
        )

    async def _units(self, unit_ids: Sequence[UUID]) -> list[UnitView | None]:
        units: list[UnitView | None] = await self.run(self.queries.units_by_ids, list(unit_ids))
        return units

    async def _designations(self, keys: Sequence[DesignationsKey]) -> list[list[DesignationView]]:
        """One query per distinct (as of, known at) among the keys: usually exactly one."""
        by_time: dict[tuple[date | None, datetime | None], list[UUID]] = defaultdict(list)
        for unit_id, as_of, known_at in keys:
            by_time[(as_of, known_at)].append(unit_id)
        found: dict[DesignationsKey, list[DesignationView]] = {}
        for (as_of, known_at), unit_ids in by_time.items():
            lists = await self.run(self.queries.designations_of, unit_ids, as_of, known_at)
            for unit_id, designations in zip(unit_ids, lists, strict=True):
                found[(unit_id, as_of, known_at)] = designations
        return [found[key] for key in keys]
