"""Commands about a unit itself: its registration, its name, its reorganisations, and errata.

A unit is registered by an authority whose jurisdiction covers its division; its id derives
from its credit code, or (a park, or an enterprise the lists name without one) from the act.
Renames and reorganisations carry the day they were reported, which the rulebooks may flag as
late; a correction names the act it corrects and the fields it changes.
"""

from __future__ import annotations

from datetime import datetime

from greenreg.errors import ActFormatError, ConflictError
from greenreg.events.acts import Act
from greenreg.events.credit_codes import check_credit_code
from greenreg.events.places import check_division
from greenreg.events.vocabulary import Flag, UnitRegistered
from greenreg.registry.authority import Authority
from greenreg.registry.commands.common import acted_on, event_fields
from greenreg.registry.decision import Decision
from greenreg.registry.identifier import IdentifierClaim
from greenreg.registry.rulebooks import notice_flags
from greenreg.registry.unit import Unit, unit_id_for_act, unit_id_for_credit_code
from greenreg.registry.workspace import Workspace


def register_unit(act: Act, signer: Authority, now: datetime, ws: Workspace) -> Decision:
    fields = dict(act.fields)
    check_division(fields["division"])
    signer.check_area(fields["division"])
    flags: list[Flag] = []
    if fields["credit_code"] is not None:
        fields["credit_code"] = check_credit_code(fields["credit_code"])
        flags = signer.check_code_issued_within(
            fields["credit_code"], fields["registered_elsewhere"]
        )
        unit_id = unit_id_for_credit_code(fields["credit_code"])
    elif fields["registered_elsewhere"] is not None:
        raise ActFormatError("'registered_elsewhere' explains a credit code; this unit has none")
    else:
        # A park, or an enterprise known only by name (the published national lists give
        # no credit codes): its id derives from the act that registered it.
        unit_id = unit_id_for_act(act.act_id)
    existing = ws.holder(unit_id)
    if isinstance(existing, IdentifierClaim):
        holder = ws.find_unit(existing.unit)
        named = f"{holder.state.name} ({holder.id})" if holder else str(existing.unit)
        raise ConflictError(
            f"credit code {fields['credit_code']} is already attached to {named}; "
            f"{fields['name']} cannot be registered with it"
        )
    if existing is not None:
        existing.check_new(act)
        raise ConflictError(
            f"a unit with credit code {fields['credit_code']} is already "
            f"registered as {existing.state.name} ({existing.id})"
        )
    unit = Unit._create(
        UnitRegistered, id=unit_id, **{**event_fields(act, signer.id, now, flags), **fields}
    )
    return Decision(act, [unit])


def rename(act: Act, signer: Authority, now: datetime, ws: Workspace) -> Decision:
    unit = acted_on(act, signer, ws)
    unit.check_renamable(act.fields["new_name"], act.effective_date)
    reported_on = act.fields["reported_on"]
    flags = notice_flags(unit.state, act.effective_date, reported_on, ws.adoptions())
    unit.record(act.event_class, **event_fields(act, signer.id, now, flags))
    return Decision(act, [unit])


def reorganise(act: Act, signer: Authority, now: datetime, ws: Workspace) -> Decision:
    """One act, one event on every unit involved (predecessors and successors)."""
    predecessors, successors = act.fields["predecessors"], act.fields["successors"]
    if not predecessors or not successors:
        raise ActFormatError("a reorganisation names at least one predecessor and successor")
    units = [ws.unit(str(unit_id)) for unit_id in dict.fromkeys(predecessors + successors)]
    units[0].check_new(act)
    for unit in units:
        signer.check_area(unit.state.division)
        unit.check_reorganisable()
    for unit in units:
        reported_on = act.fields["reported_on"]
        flags = notice_flags(unit.state, act.effective_date, reported_on, ws.adoptions())
        unit.record(act.event_class, **event_fields(act, signer.id, now, flags))
    return Decision(act, list(units))


def correct(act: Act, signer: Authority, now: datetime, ws: Workspace) -> Decision:
    unit = ws.unit(str(act.unit))
    unit.check_new(act)
    unit.check_correctable(act.fields["corrects"], signer.id, act.fields["changes"])
    unit.record(act.event_class, **event_fields(act, signer.id, now))
    return Decision(act, [unit])
