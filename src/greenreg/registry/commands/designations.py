"""Commands about a unit's place on a list: designate it, remove it, disqualify an application,
and file the yearly reports a listed unit owes.

Each finds the unit and the rulebook of the list (:func:`listed`), lets the unit check its own
history and the rulebook the law (bans, grounds, grades), then records the event; a removal
records the bans its ground brings.
"""

from __future__ import annotations

from datetime import datetime

from greenreg.errors import RuleError
from greenreg.events.acts import Act
from greenreg.registry.authority import Authority
from greenreg.registry.commands.common import acted_on, event_fields, listed
from greenreg.registry.decision import Decision
from greenreg.registry.rulebooks import report_flags
from greenreg.registry.rulebooks.base import GREEN_MANUFACTURING
from greenreg.registry.unit import designation_key
from greenreg.registry.workspace import Workspace


def designate(act: Act, signer: Authority, now: datetime, ws: Workspace) -> Decision:
    unit, rulebook = listed(act, signer, ws)
    programme, jurisdiction = act.fields["programme"], act.fields["jurisdiction"]
    unit.check_relistable(programme, jurisdiction, act.effective_date)
    rulebook.check_designation(unit.state, programme, jurisdiction, act.effective_date)
    rulebook.check_grade(act.fields["grade"])
    unit.record(act.event_class, **event_fields(act, signer.id, now))
    return Decision(act, [unit])


def remove(act: Act, signer: Authority, now: datetime, ws: Workspace) -> Decision:
    unit, rulebook = listed(act, signer, ws)
    programme, jurisdiction = act.fields["programme"], act.fields["jurisdiction"]
    unit.check_in_force(programme, jurisdiction, act.effective_date, "removed")
    ground = rulebook.ground(act.fields["ground"])
    ended = [designation_key(programme, jurisdiction)]
    if ground.all_levels:  # a major accident ends every green-manufacturing listing (003 art. 21)
        ended = [
            designation_key(d.programme, d.jurisdiction)
            for d in unit.state.designations.values()
            if d.in_force and d.programme in GREEN_MANUFACTURING
        ]
    bans = rulebook.bans_after(programme, jurisdiction, act.fields["ground"], act.effective_date)
    unit.record(
        act.event_class,
        ended=ended,
        bans=[ban.to_record() for ban in bans],
        **event_fields(act, signer.id, now),
    )
    return Decision(act, [unit])


def disqualify(act: Act, signer: Authority, now: datetime, ws: Workspace) -> Decision:
    unit, rulebook = listed(act, signer, ws)
    programme, jurisdiction = act.fields["programme"], act.fields["jurisdiction"]
    if act.fields["ground"] != "fraud":
        raise RuleError("an application is disqualified for fraud only (003 art. 22)")
    unit.check_disqualifiable(programme, jurisdiction)
    bans = rulebook.disqualification_bans(jurisdiction, act.effective_date)
    unit.record(
        act.event_class,
        bans=[ban.to_record() for ban in bans],
        **event_fields(act, signer.id, now),
    )
    return Decision(act, [unit])


def file_report(act: Act, signer: Authority, now: datetime, ws: Workspace) -> Decision:
    unit = acted_on(act, signer, ws)
    fields = act.fields
    flags = report_flags(
        fields["report"], fields["year"], fields["filed_on"], unit.state, ws.adoptions()
    )
    unit.record(act.event_class, **event_fields(act, signer.id, now, flags))
    return Decision(act, [unit])
