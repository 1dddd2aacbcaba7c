"""Commands about facts that make removals due: a major accident or environmental incident.

003 art. 21 (last paragraph) says a unit with a major production-safety or quality accident, or
a level-II (major) or worse sudden environmental incident, is removed "from every level"; arts.
19-20 say who reports it upward. The registry records the incident as a fact on the unit, by any
authority whose jurisdiction contains it; it ends no list. Each list stays in force until its
owner removes it, and the answers mark it "removal due" meanwhile (a read-side projection).
"""

from __future__ import annotations

from datetime import datetime

from greenreg.events.acts import Act
from greenreg.registry.authority import Authority
from greenreg.registry.commands.common import acted_on, event_fields
from greenreg.registry.decision import Decision
from greenreg.registry.workspace import Workspace


def record_incident(act: Act, signer: Authority, now: datetime, ws: Workspace) -> Decision:
    unit = acted_on(act, signer, ws)
    unit.check_incident_date(act.effective_date)
    unit.record(act.event_class, **event_fields(act, signer.id, now))
    return Decision(act, [unit])
