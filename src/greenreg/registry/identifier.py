"""The ``IdentifierClaim`` aggregate: one identifier (a credit code), held by one unit.

A unit registered with its credit code takes the code's id
(:func:`~greenreg.registry.unit.unit_id_for_credit_code`). A unit first known by name (the
published national lists give no codes) has an id from its registering act; when an authority
later attaches the code (``attach_identifier``), a claim is created at the id the code gives and
points to the unit. So one id per code, whichever way the code came: the event store's own
uniqueness of (id, version) keeps a code from being held by two units, even by two acts racing,
and a reference by code finds the unit through the claim
(:meth:`~greenreg.registry.workspace.Workspace.unit`).
"""

from __future__ import annotations

from functools import singledispatchmethod
from uuid import UUID, uuid5

from greenreg.events.vocabulary import IdentifierClaimed, RegistryEvent
from greenreg.registry.aggregate import RegistryAggregate
from greenreg.registry.unit import NAMESPACE, unit_id_for_credit_code


def identifier_id(scheme: str, value: str) -> UUID:
    """The id of an identifier's claim: for a credit code, the id a unit registered with it has
    (so a code is either a unit's own or a claim, never both)."""
    if scheme == "uscc":
        return unit_id_for_credit_code(value)
    return uuid5(NAMESPACE, f"{scheme}:{value}")


class IdentifierClaim(RegistryAggregate):
    """An identifier and the unit that holds it."""

    def __init__(self) -> None:
        super().__init__()
        self.scheme = ""
        self.value = ""
        self.unit = UUID(int=0)

    @singledispatchmethod
    def fold(self, event: RegistryEvent) -> None:
        raise NotImplementedError(type(event).__name__)  # a programming error

    @fold.register
    def _(self, event: IdentifierClaimed) -> None:
        self.scheme, self.value, self.unit = event.scheme, event.value, event.unit
