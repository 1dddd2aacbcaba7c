"""Commands about warnings: warn a listed unit to rectify by a date, and lift the warning.

A warning is given on a ground its rulebook knows, with a deadline the rulebook allows; only the
eco-park rules have warnings (004 arts. 26-27): every other rulebook refuses ``warn`` (001, 002,
003 and the national lists have none). While warned the unit stays on the list, and only a
warned unit can be cleared of its warning: ``lift_warning`` also ends a rectification order a
verified complaint brought on a 003 list (003 art. 25; ``decide_complaint``).
"""

from __future__ import annotations

from datetime import datetime

from greenreg.events.acts import Act
from greenreg.registry.authority import Authority
from greenreg.registry.commands.common import event_fields, listed
from greenreg.registry.decision import Decision
from greenreg.registry.workspace import Workspace


def warn(act: Act, signer: Authority, now: datetime, ws: Workspace) -> Decision:
    unit, rulebook = listed(act, signer, ws)
    fields = act.fields
    unit.check_warnable(fields["programme"], fields["jurisdiction"], act.effective_date)
    rulebook.check_warning(fields["ground"], act.effective_date, fields["rectify_by"])
    unit.record(act.event_class, **event_fields(act, signer.id, now))
    return Decision(act, [unit])


def lift_warning(act: Act, signer: Authority, now: datetime, ws: Workspace) -> Decision:
    unit, _ = listed(act, signer, ws)
    unit.check_under_warning(
        act.fields["programme"], act.fields["jurisdiction"], act.effective_date
    )
    unit.record(act.event_class, **event_fields(act, signer.id, now))
    return Decision(act, [unit])
