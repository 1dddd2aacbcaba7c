"""Commands about the registry itself: its founding, its authorities and their keys, which
rulebook governs which lists from when (the root's adoptions), and the log key it declares.

All but the founding are signed by the root key (:func:`check_signed_by_root`); the founding is
self-signed by the root key it declares, which the application checks before it gets here.
"""

from __future__ import annotations

from datetime import datetime

from greenreg.errors import ActFormatError, ConflictError
from greenreg.events.acts import Act
from greenreg.events.places import check_jurisdiction
from greenreg.events.signing import b64decode, check_public_key, key_id_of
from greenreg.events.vocabulary import AuthorityRegistered, Programme, RegistryFounded
from greenreg.registry.authority import ROOT, Authority, authority_id_for, check_signed_by_root
from greenreg.registry.commands.common import event_fields
from greenreg.registry.decision import Decision
from greenreg.registry.rulebooks.law import Adoption
from greenreg.registry.workspace import Workspace


def found_registry(act: Act, signer: Authority, now: datetime, ws: Workspace) -> Decision:
    root_id = authority_id_for(ROOT)
    root = Authority._create(RegistryFounded, id=root_id, **event_fields(act, root_id, now))
    return Decision(act, [root])


def register_authority(act: Act, signer: Authority, now: datetime, ws: Workspace) -> Decision:
    check_signed_by_root(act)
    code = act.fields["code"]
    if code == ROOT:
        raise ActFormatError("'root' is the registry's own key, not an authority code")
    check_jurisdiction(act.fields["jurisdiction"])
    for programme in act.fields["programmes"]:
        if programme not in set(Programme):
            allowed = ", ".join(p.value for p in Programme)
            raise ActFormatError(f"{programme!r} is not a programme; programmes: {allowed}")
    existing = ws.find_authority(code)
    if existing is not None:
        existing.check_new(act)
        raise ConflictError(f"authority {code!r} is already registered")
    authority = Authority._create(
        AuthorityRegistered, id=authority_id_for(code), **event_fields(act, signer.id, now)
    )
    return Decision(act, [authority])


def add_key(act: Act, signer: Authority, now: datetime, ws: Workspace) -> Decision:
    check_signed_by_root(act)
    authority = ws.authority(str(act.for_authority))
    authority.check_new(act)
    public_key = b64decode(act.fields["public_key"], "public key")
    check_public_key(public_key)
    new_key_id = key_id_of(public_key)
    authority.check_new_key(new_key_id)
    authority.record(act.event_class, new_key_id=new_key_id, **event_fields(act, signer.id, now))
    return Decision(act, [authority])


def revoke_key(act: Act, signer: Authority, now: datetime, ws: Workspace) -> Decision:
    check_signed_by_root(act)
    authority = ws.authority(str(act.for_authority))
    authority.check_new(act)
    authority.check_revocable(act.fields["revoked_key_id"])
    authority.record(act.event_class, **event_fields(act, signer.id, now))
    return Decision(act, [authority])


def adopt_rules(act: Act, signer: Authority, now: datetime, ws: Workspace) -> Decision:
    """The root declares that a rulebook governs a jurisdiction's lists for a period."""
    check_signed_by_root(act, "adopts rulebooks")
    root = ws.authority(ROOT)
    root.check_new(act)
    adoption = Adoption(
        act.fields["rulebook"],
        act.fields["jurisdiction"],
        act.effective_date,
        act.fields["in_force_until"],
        act.document_number,
        act.act_id,
    )
    root.check_adoptable(adoption)
    root.record(act.event_class, **event_fields(act, root.id, now))
    return Decision(act, [root])


def declare_log_key(act: Act, signer: Authority, now: datetime, ws: Workspace) -> Decision:
    """The root declares the key that signs the log's checkpoints and receipts: a log entry, so
    every later checkpoint (and any consistency proof from it) covers the declaration."""
    check_signed_by_root(act, "declares the log key")
    root = ws.authority(ROOT)
    root.check_new(act)
    public_key = b64decode(act.fields["public_key"], "log public key")
    check_public_key(public_key)
    log_key_id = key_id_of(public_key)
    root.check_new_log_key(log_key_id)
    root.record(act.event_class, log_key_id=log_key_id, **event_fields(act, root.id, now))
    return Decision(act, [root])
