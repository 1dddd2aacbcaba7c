"""What the commands share: the unit an act acts on, its rulebook, and the fields of its event."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from uuid import UUID

from greenreg.events.acts import Act
from greenreg.events.places import check_jurisdiction
from greenreg.events.vocabulary import Flag
from greenreg.registry.authority import Authority
from greenreg.registry.rulebooks import Rulebook, rulebook_for
from greenreg.registry.unit import Unit
from greenreg.registry.workspace import Workspace


def acted_on(act: Act, signer: Authority, ws: Workspace) -> Unit:
    """The unit the act names, if the act is new to it, the signer may act in its area and it
    has not ceased (a report may still be filed for a unit that ceased)."""
    unit = ws.unit(str(act.unit))
    unit.check_new(act)
    signer.check_area(unit.state.division)
    if act.kind != "file_report":
        unit.check_active()
    return unit


def listed(act: Act, signer: Authority, ws: Workspace) -> tuple[Unit, Rulebook]:
    """The unit, and the rulebook of the act's list (programme and jurisdiction) in force on the
    act's effective date, after checking that the signer issues that list and that its
    rulebook knows this kind of act."""
    programme, jurisdiction = act.fields["programme"], act.fields["jurisdiction"]
    check_jurisdiction(jurisdiction)
    signer.check_issues(programme, jurisdiction)
    rulebook = rulebook_for(programme, jurisdiction, act.effective_date, ws.adoptions())
    rulebook.check_act(act.kind, jurisdiction)
    return acted_on(act, signer, ws), rulebook


def event_fields(
    act: Act, authority_id: UUID, now: datetime, flags: list[Flag] | None = None
) -> dict[str, Any]:
    """The fields of the event an act records: its envelope and fields, who issued it, when
    the registry recorded it, and the compliance flags the rulebooks raised; in the order of
    the event's own fields (so its aggregate takes them as they are:
    :meth:`~greenreg.registry.aggregate.RegistryAggregate.record`)."""
    return {
        "timestamp": now,
        "act_id": act.act_id,
        "authority_id": authority_id,
        "signed_at": act.signed_at,
        "effective_date": act.effective_date,
        "document_number": act.document_number,
        "document_sha256": act.document_sha256,
        "signed_act": act.signed_act,
        "signature": act.signature,
        "key_id": act.key_id,
        "flags": flags if flags is not None else [],
        **act.fields,
    }
