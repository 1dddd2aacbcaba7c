"""The aggregates an act works on: read once, changed in place, saved together afterwards.

A command finds the units, authorities and evaluators it needs through a :class:`Workspace`,
never through the store. The application gives each act a fresh workspace; a batch shares one
across its acts, so each aggregate is read once and a later act sees what an earlier one decided
before anything is saved; the audit passes the state it replays in memory, and nothing is read
from a store but a recorded event it asks for (:meth:`Workspace.recorded_event`).
"""

from __future__ import annotations

from collections.abc import Callable
from functools import lru_cache
from uuid import UUID

from greenreg.errors import ActFormatError, NotFoundError
from greenreg.events.credit_codes import check_credit_code, compact
from greenreg.events.vocabulary import RegistryEvent
from greenreg.registry.authority import ROOT, Authority, authority_id_for
from greenreg.registry.evaluator import Evaluator, evaluator_id_for_credit_code
from greenreg.registry.identifier import IdentifierClaim
from greenreg.registry.rulebooks.law import Adoption
from greenreg.registry.unit import Unit, unit_id_for_credit_code

CREDIT_CODE_LENGTH = 18

Aggregate = Unit | Authority | Evaluator | IdentifierClaim
Load = Callable[[UUID], object | None]
"""Reads an aggregate from the store, or ``None`` if the store has none with that id."""
ReadEvent = Callable[[UUID, int], RegistryEvent | None]
"""Reads an aggregate's recorded event at a version, or ``None`` if the store has none."""


def _load_nothing(aggregate_id: UUID) -> None:
    return None


def _read_nothing(aggregate_id: UUID, version: int) -> None:
    return None


class Workspace:
    """The aggregates read or changed by the acts being decided, not yet saved."""

    def __init__(
        self,
        load: Load = _load_nothing,
        aggregates: dict[UUID, Aggregate] | None = None,
        read_event: ReadEvent | None = None,
    ) -> None:
        self.load = load
        self.read_event = read_event or _read_nothing
        self.aggregates: dict[UUID, Aggregate] = {} if aggregates is None else aggregates

    def unit(self, reference: str) -> Unit:
        """The unit with this id or credit code (its own, or one attached to it: then the
        code's claim points to it); refuses a reference to no unit."""
        reference_id = unit_id_of(reference)
        found = self._get(reference_id)
        if type(found) is Unit:
            return found
        if isinstance(found, IdentifierClaim):
            reference_id = found.unit
            found = self._get(reference_id)
        if found is None:
            raise NotFoundError(f"there is no unit {reference} in the registry")
        if not isinstance(found, Unit):
            raise NotFoundError(f"{reference_id} is not a unit")
        return found

    def holder(self, identifier_id: UUID) -> Unit | IdentifierClaim | None:
        """What holds the identifier with this id: a unit registered with it, a claim that
        points to the unit it was attached to, or nothing."""
        aggregate = self._get(identifier_id)
        if aggregate is None or isinstance(aggregate, Unit | IdentifierClaim):
            return aggregate
        raise NotFoundError(f"{identifier_id} is not a unit")

    def find_unit(self, unit_id: UUID) -> Unit | None:
        aggregate = self._get(unit_id)
        if aggregate is not None and not isinstance(aggregate, Unit):
            raise NotFoundError(f"{unit_id} is not a unit")
        return aggregate

    def authority(self, code: str) -> Authority:
        authority = self.find_authority(code)
        if authority is None:
            raise NotFoundError(f"there is no authority {code!r} in the registry")
        return authority

    def find_authority(self, code: str) -> Authority | None:
        aggregate = self._get(authority_id_for(code))
        if aggregate is not None and not isinstance(aggregate, Authority):
            raise NotFoundError(f"{code!r} is not an authority")
        return aggregate

    def evaluator(self, reference: str) -> Evaluator:
        """The evaluator with this id or credit code; refuses a reference to no evaluator."""
        evaluator = self.find_evaluator(evaluator_id_of(reference))
        if evaluator is None:
            raise NotFoundError(
                f"there is no evaluator {reference} in the registry; register it first "
                "(register_evaluator)"
            )
        return evaluator

    def find_evaluator(self, evaluator_id: UUID) -> Evaluator | None:
        aggregate = self._get(evaluator_id)
        if aggregate is not None and not isinstance(aggregate, Evaluator):
            raise NotFoundError(f"{evaluator_id} is not an evaluator")
        return aggregate

    def adoptions(self) -> list[Adoption]:
        """The rule adoptions recorded so far (the root's; read once, like any aggregate)."""
        root = self.find_authority(ROOT)
        return root.adoptions if root is not None else []

    def keep(self, aggregates: list[Aggregate]) -> None:
        """Keep what an act decided (new aggregates included), for the acts after it."""
        for aggregate in aggregates:
            self.aggregates[aggregate.id] = aggregate

    def changed(self) -> list[Aggregate]:
        """The aggregates with events to save, in the order they were first read or made."""
        return [a for a in self.aggregates.values() if a.pending_events]

    def recorded_event(self, aggregate_id: UUID, version: int) -> RegistryEvent:
        """The aggregate's event at ``version``: decided by an earlier act of this workspace
        (not yet saved), or as stored."""
        aggregate = self.aggregates.get(aggregate_id)
        for event in () if aggregate is None else aggregate.pending_events:
            if event.originator_version == version and isinstance(event, RegistryEvent):
                return event
        stored = self.read_event(aggregate_id, version)
        if stored is None:
            raise NotFoundError(f"the store lacks event {version} of {aggregate_id}")
        return stored

    def _get(self, aggregate_id: UUID) -> object | None:
        """The aggregate as an earlier act left it, or as stored (then kept: read once)."""
        aggregate = self.aggregates.get(aggregate_id)
        if aggregate is not None:
            return aggregate
        stored = self.load(aggregate_id)
        if isinstance(stored, Unit | Authority | Evaluator | IdentifierClaim):
            self.aggregates[aggregate_id] = stored
        return stored


@lru_cache(maxsize=1 << 17)
def unit_id_of(reference: str) -> UUID:
    """A unit is named by its id (a UUID) or by its credit code (pure: answers are cached)."""
    try:
        return UUID(reference)
    except ValueError:
        pass
    if len(compact(reference)) == CREDIT_CODE_LENGTH:
        return unit_id_for_credit_code(check_credit_code(reference))
    raise ActFormatError(
        f"{reference!r} names no unit: give the unit's id (a UUID) or its credit code"
    )


@lru_cache(maxsize=1 << 12)
def evaluator_id_of(reference: str) -> UUID:
    """An evaluator is named by its id (a UUID) or by its credit code (pure: cached)."""
    try:
        return UUID(reference)
    except ValueError:
        pass
    if len(compact(reference)) == CREDIT_CODE_LENGTH:
        return evaluator_id_for_credit_code(check_credit_code(reference))
    raise ActFormatError(
        f"{reference!r} names no evaluator: give the evaluator's id (a UUID) or its credit code"
    )
