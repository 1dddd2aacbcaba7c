"""Commands of the eco-industrial park path (004): a province approves creation, may extend
it (by at most a year in principle) or stop it, and the national coordination mechanism names
the park at the end.

The rulebook (:class:`~greenreg.registry.rulebooks.eco_parks.EcoParkRulebook`) holds the
periods and who issues which act; a named park is then warned and removed like any listing.
"""

from __future__ import annotations

from datetime import datetime

from greenreg.errors import RuleError
from greenreg.events.acts import Act
from greenreg.events.places import NATIONAL
from greenreg.registry.authority import Authority
from greenreg.registry.commands.common import event_fields, listed
from greenreg.registry.decision import Decision
from greenreg.registry.rulebooks.eco_parks import ECO_PARK
from greenreg.registry.rulebooks.principle import check_override_used
from greenreg.registry.workspace import Workspace


def approve_creation(act: Act, signer: Authority, now: datetime, ws: Workspace) -> Decision:
    unit, rulebook = listed(act, signer, ws)
    rulebook.check_creation(unit.state, act.fields["jurisdiction"], act.effective_date)
    unit.record(act.event_class, **event_fields(act, signer.id, now))
    return Decision(act, [unit])


def extend_creation(act: Act, signer: Authority, now: datetime, ws: Workspace) -> Decision:
    unit, rulebook = listed(act, signer, ws)
    creation = unit.check_in_creation(ECO_PARK, act.fields["jurisdiction"])
    flags = rulebook.check_extension(
        creation, act.effective_date, act.fields["extended_to"], act.override
    )
    check_override_used(act.override, flags)
    unit.record(act.event_class, **event_fields(act, signer.id, now, flags))
    return Decision(act, [unit])


def stop_creation(act: Act, signer: Authority, now: datetime, ws: Workspace) -> Decision:
    """The province that approved the creation stops it (004 art. 15): the period ends."""
    unit, rulebook = listed(act, signer, ws)
    creation = unit.check_in_creation(ECO_PARK, act.fields["jurisdiction"])
    unit.check_creation_running(creation, act.effective_date)
    rulebook.check_stop(act.fields["ground"])
    unit.record(act.event_class, **event_fields(act, signer.id, now))
    return Decision(act, [unit])


def name_park(act: Act, signer: Authority, now: datetime, ws: Workspace) -> Decision:
    unit, rulebook = listed(act, signer, ws)
    if act.fields["evaluator"] is not None:
        raise RuleError(
            "an eco-industrial park is named after acceptance by the coordination mechanism "
            "(004 arts. 16-21), not on a third-party evaluation: 'evaluator' is not used here"
        )
    unit.check_relistable(ECO_PARK, NATIONAL, act.effective_date)
    rulebook.check_naming(unit.state, act.effective_date)
    unit.record(act.event_class, **event_fields(act, signer.id, now))
    return Decision(act, [unit])
