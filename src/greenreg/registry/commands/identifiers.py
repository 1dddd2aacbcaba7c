"""Attaching an identifier to a unit already registered: ``attach_identifier``.

``{"type": "attach_identifier", "unit": "<unit id>", "scheme": "uscc", "value": "<credit code>",
"registered_elsewhere": null, ...}``, by an authority whose jurisdiction covers the unit's
division. The code must pass its GB 32100 check character and, as at registration, have been
issued within the authority's jurisdiction (positions 3-8) unless the act says why not in
``registered_elsewhere`` (:meth:`~greenreg.registry.authority.Authority.check_code_issued_within`).

Refused, naming both units: a code that is another unit's own (registered with it) or already
attached to another unit. Refused: a second code for a unit that holds one (a unit keeps its code
for life; a code attached by mistake is an erratum this act does not make).

The act records two events: :class:`~greenreg.events.vocabulary.IdentifierAttached` on the unit
(its history shows "credit code attached") and
:class:`~greenreg.events.vocabulary.IdentifierClaimed` on the code's claim, at the id the code
gives, which later acts follow when they name the unit by its code.
"""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

from greenreg.errors import ConflictError
from greenreg.events.acts import Act
from greenreg.events.credit_codes import check_credit_code
from greenreg.events.vocabulary import IdentifierClaimed
from greenreg.registry.authority import Authority
from greenreg.registry.commands.common import acted_on, event_fields
from greenreg.registry.decision import Decision
from greenreg.registry.identifier import IdentifierClaim, identifier_id
from greenreg.registry.unit import Unit
from greenreg.registry.workspace import Workspace


def attach_identifier(act: Act, signer: Authority, now: datetime, ws: Workspace) -> Decision:
    unit = acted_on(act, signer, ws)
    fields = dict(act.fields)
    code = fields["value"] = check_credit_code(fields["value"])
    unit.check_code_attachable(code)
    claim_id = identifier_id(fields["scheme"], code)
    check_unheld(ws, claim_id, code, unit)
    flags = signer.check_code_issued_within(code, fields["registered_elsewhere"])
    unit.record(act.event_class, **{**event_fields(act, signer.id, now, flags), **fields})
    claim = IdentifierClaim._create(
        IdentifierClaimed,
        id=claim_id,
        unit=unit.id,
        **{**event_fields(act, signer.id, now), **fields},
    )
    return Decision(act, [unit, claim])


def check_unheld(ws: Workspace, claim_id: UUID, code: str, unit: Unit) -> None:
    """Refuse a code another unit holds, naming both units."""
    holder = ws.holder(claim_id)
    if holder is None:
        return
    if isinstance(holder, Unit):
        named = f"{holder.state.name} ({holder.id}), registered with it"
    else:
        other = ws.find_unit(holder.unit)  # None only in a log being audited that lacks it
        named = f"{other.state.name if other else 'unit'} ({holder.unit}), attached to it"
    raise ConflictError(
        f"credit code {code} is already held by {named}; it cannot also be attached to "
        f"{unit.state.name} ({unit.id}). Nothing was recorded."
    )
