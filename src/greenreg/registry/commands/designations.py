"""Commands about a unit's place on a list: designate it, remove it, disqualify an application,
and file the yearly reports a listed unit owes.

Each finds the unit and the rulebook of the list (:func:`listed`), lets the unit check its own
history and the rulebook the law (bans, grounds, grades, rules in principle), then records the
event with the rulebook's flags. A removal ends the one list it names, which its signer owns,
and records the bans its ground brings on that owner's lists.

A designation may name the third-party ``evaluator`` whose evaluation it rests on (its id or
credit code; the evaluator must be registered). Lists whose rules sanctioned that evaluator on
the designation's effective date refuse it (003 art. 24: three years; 001 art. 22: no end); see
:meth:`~greenreg.registry.evaluator.Evaluator.check_accepted`.
"""

from __future__ import annotations

from datetime import datetime

from greenreg.errors import RuleError
from greenreg.events.acts import Act
from greenreg.registry.authority import Authority
from greenreg.registry.commands.common import acted_on, event_fields, listed
from greenreg.registry.decision import Decision
from greenreg.registry.rulebooks import recommendation_flags, report_flags
from greenreg.registry.rulebooks.principle import check_override_used
from greenreg.registry.unit import designation_key
from greenreg.registry.workspace import Workspace


def designate(act: Act, signer: Authority, now: datetime, ws: Workspace) -> Decision:
    unit, rulebook = listed(act, signer, ws)
    programme, jurisdiction = act.fields["programme"], act.fields["jurisdiction"]
    unit.check_relistable(programme, jurisdiction, act.effective_date)
    flags = rulebook.check_designation(
        unit.state, programme, jurisdiction, act.effective_date, act.override
    )
    check_override_used(act.override, flags)
    rulebook.check_grade(act.fields["grade"])
    if act.fields["evaluator"] is not None:
        evaluator = ws.evaluator(act.fields["evaluator"])
        evaluator.check_accepted(rulebook.source, jurisdiction, act.effective_date)
    flags += recommendation_flags(unit.state, programme, jurisdiction, ws.adoptions())
    unit.record(act.event_class, **event_fields(act, signer.id, now, flags))
    return Decision(act, [unit])


def remove(act: Act, signer: Authority, now: datetime, ws: Workspace) -> Decision:
    unit, rulebook = listed(act, signer, ws)
    programme, jurisdiction = act.fields["programme"], act.fields["jurisdiction"]
    designation = unit.check_in_force(programme, jurisdiction, act.effective_date, "removed")
    rulebook.ground(act.fields["ground"])
    rulebook.check_removal(designation, act.fields["ground"], act.effective_date)
    # Only the list named, which the signer owns (check_issues): a major accident makes removal
    # due from every level (003 art. 21), but each other list is ended by its own owner.
    ended = [designation_key(programme, jurisdiction)]
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
