"""The acts that transcribe one announcement: register each new unit, designate each row,
remove what the notice de-listed.

The transcriber is not MIIT: it is an authority of its own (:data:`TRANSCRIBER_CODE`), named
as a transcription of public announcements, that signs what it read in MIIT's published notices.
Each act cites the notice's document number and takes effect on the notice's date; it is signed
at the time of transcription.

Act ids are deterministic, so importing the same announcement again produces the same acts and
the registry answers ``already_recorded``:

- a unit is registered by the act ``register_unit|<kind>|<dedupe key of its name>``: the same
  park or enterprise named in several lists or announcements is one unit (the lists carry no
  credit codes), registered by the first announcement that lists it;
- a designation is ``designate|<document>|<programme>|<dedupe key>``, a removal likewise.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import datetime
from typing import Any
from uuid import UUID, uuid5

from greenreg.events.issuer import TRANSCRIPTION, Issuer
from greenreg.events.places import NATIONAL
from greenreg.events.vocabulary import Programme, UnitKind
from greenreg.importer.announcements import Announcement
from greenreg.importer.names import dedupe_key, registered_name
from greenreg.registry.unit import unit_id_for_act

TRANSCRIBER_CODE = f"miit{TRANSCRIPTION}"  # a transcriber, not the issuer (is_transcriber)
TRANSCRIBER_NAME = "greenreg transcription of public MIIT announcements (not MIIT)"
TRANSCRIBER_PROGRAMMES = (
    Programme.GREEN_FACTORY,
    Programme.GREEN_PARK,
    Programme.GREEN_SUPPLY_CHAIN,
)
ACT_NAMESPACE = UUID("7c1d2a40-5b7e-4f0a-9d3c-2e8f6a1b4c59")
KIND: dict[Programme, UnitKind] = {
    Programme.GREEN_PARK: "park",
    Programme.GREEN_FACTORY: "enterprise",
    Programme.GREEN_SUPPLY_CHAIN: "enterprise",
}

RegisteredBy = Callable[[UUID, UUID], str | None]
"""``(unit id, registering act id)`` -> the document number that registered the unit in the
store, or ``None`` if the store does not hold the unit."""


def registering_act_id(kind: str, name: str) -> UUID:
    return uuid5(ACT_NAMESPACE, f"register_unit|{kind}|{dedupe_key(name)}")


def designating_act_id(document: str, programme: Programme, name: str) -> UUID:
    """The id of the act by which the list ``document`` designates ``name`` in ``programme``."""
    return uuid5(ACT_NAMESPACE, f"designate|{document}|{programme}|{dedupe_key(name)}")


def unit_id_of(programme: Programme, name: str) -> UUID:
    """The id of the unit a list of ``programme`` names ``name`` (same for any spelling)."""
    return unit_id_for_act(registering_act_id(KIND[programme], name))


def transcribe(
    announcement: Announcement,
    issuer: Issuer,
    registered_by: RegisteredBy,
    signed_at: datetime,
) -> Iterator[dict[str, Any]]:
    """The signed acts of ``announcement``, in order: a unit's registration before its first
    designation, removals last."""
    document = announcement.document
    seen: set[UUID] = set()

    def act(type: str, act_id: UUID, **fields: Any) -> dict[str, Any]:
        return issuer.act(
            type,
            act_id=act_id,
            effective_date=announcement.effective_date,
            document=document,
            signed_at=signed_at,
            **fields,
        )

    for programme, row in announcement.listed():
        kind = KIND[programme]
        register_id = registering_act_id(kind, row.name)
        unit_id = unit_id_for_act(register_id)
        if unit_id not in seen:
            seen.add(unit_id)
            if registered_by(unit_id, register_id) in (None, document):
                yield act(
                    "register_unit",
                    register_id,
                    kind=kind,
                    name=registered_name(row.name),
                    credit_code=None,
                    division=row.division,
                )
        yield act(
            "designate",
            designating_act_id(document, programme, row.name),
            unit=str(unit_id),
            programme=programme.value,
            jurisdiction=NATIONAL,
            batch=announcement.label or None,
            grade=None,
        )
    for removal in announcement.removals:
        key = dedupe_key(removal.name)
        yield act(
            "remove",
            uuid5(ACT_NAMESPACE, f"remove|{document}|{removal.programme}|{key}"),
            unit=str(unit_id_of(removal.programme, removal.name)),
            programme=removal.programme.value,
            jurisdiction=NATIONAL,
            ground=removal.ground,
        )
