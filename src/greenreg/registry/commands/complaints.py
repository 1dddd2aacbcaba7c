"""Commands about public complaints (举报) on a listed unit (003 art. 25).

Anyone may report, under their name, that a listed unit's information is untrue or inaccurate,
to the municipal industry and information technology department where the unit is; that
department verifies it and, if the reported matter is confirmed, orders rectification or has the
unit removed under art. 21.

- ``record_complaint`` (``unit``; ``programme`` and ``jurisdiction``: the listing concerned;
  ``matter``: what is reported): by the municipal department whose area holds the unit, or by its
  province (which receives reports too); the listing must be in force and governed by 003 (a list
  of the signer's province). The effective date is the day the complaint was received. The
  registry keeps no complainant's name: it records that a complaint exists, not who made it.
- ``decide_complaint`` (``complaint``: the act id that recorded it; ``outcome``): by the
  department that received it, or its province, once:

  - ``unfounded``: closed, nothing else changes;
  - ``rectification`` with ``rectify_by``: a rectification order (要求进行整改). The listing is
    under rectification from the decision's effective date (status ``warned``, the status of
    every warning, so the title is not shown as certified meanwhile) until its owner lifts the
    warning (``lift_warning``) or removes the unit;
  - ``removal`` with ``removal``: the act id of the ``remove`` act by which the list's owner
    ended the listing on a ground of 003 art. 21, on or after the day the complaint was
    received. The removal itself is the owner's act (only the owner ends its list); the
    decision records the complaint's outcome and links to it.

A complaint about a third-party evaluator is handled under art. 24 (``sanction_evaluator``).
"""

from __future__ import annotations

import re
from datetime import datetime

from greenreg.errors import ActFormatError, CompetenceError, RuleError
from greenreg.events.acts import Act
from greenreg.events.places import Level, check_jurisdiction, level_of, name_of, province_of, within
from greenreg.registry.authority import Authority
from greenreg.registry.commands.common import acted_on, event_fields
from greenreg.registry.decision import Decision
from greenreg.registry.rulebooks import rulebook_for
from greenreg.registry.unit import designation_key
from greenreg.registry.workspace import Workspace

RULE = "003 art. 25"
RECEIVERS = (Level.MUNICIPAL, Level.PROVINCIAL)
ARTICLE_21 = re.compile(r"\b21\b")


def record_complaint(act: Act, signer: Authority, now: datetime, ws: Workspace) -> Decision:
    unit = acted_on(act, signer, ws)
    if level_of(signer.jurisdiction) not in RECEIVERS:
        raise CompetenceError(
            f"{signer.name or signer.code} does not receive complaints: they go to the "
            f"municipal department where the unit is, or its province ({RULE})"
        )
    programme, jurisdiction = act.fields["programme"], act.fields["jurisdiction"]
    check_jurisdiction(jurisdiction)
    rulebook = rulebook_for(programme, jurisdiction, act.effective_date, ws.adoptions())
    if rulebook.source != "003":
        raise RuleError(
            f"complaints under {RULE} concern lists governed by 003; the {programme} list of "
            f"{name_of(jurisdiction)} is governed by {rulebook.title} ({rulebook.source})"
        )
    if not within(jurisdiction, province_of(signer.jurisdiction)):
        raise CompetenceError(
            f"{signer.name} receives complaints about its own province's lists, not about "
            f"the {programme} list of {name_of(jurisdiction)}"
        )
    unit.check_in_force(programme, jurisdiction, act.effective_date, "the subject of a complaint")
    unit.record(act.event_class, **event_fields(act, signer.id, now))
    return Decision(act, [unit])


def decide_complaint(act: Act, signer: Authority, now: datetime, ws: Workspace) -> Decision:
    unit = acted_on(act, signer, ws)
    fields = act.fields
    complaint = unit.check_open_complaint(fields["complaint"], act.effective_date)
    if signer.id != complaint.recorded_by and level_of(signer.jurisdiction) != Level.PROVINCIAL:
        raise CompetenceError(
            "a complaint is decided by the department that received it, or by its province "
            f"({RULE})"
        )
    outcome, rectify_by, removal = fields["outcome"], fields["rectify_by"], fields["removal"]
    if (rectify_by is not None) != (outcome == "rectification"):
        raise ActFormatError("'rectify_by' is given with a rectification order, and only then")
    if (removal is not None) != (outcome == "removal"):
        raise ActFormatError(
            "'removal' (the act id of the remove act) is given with a removal, and only then"
        )
    if outcome == "rectification":
        unit.check_warnable(complaint.programme, complaint.jurisdiction, act.effective_date)
        if rectify_by < act.effective_date:
            raise RuleError(
                f"the rectification deadline {rectify_by} is before the order "
                f"({act.effective_date})"
            )
    if outcome == "removal":
        removed = unit.check_removal(removal, complaint)
        rulebook = rulebook_for(
            complaint.programme, complaint.jurisdiction, removed.effective_date, ws.adoptions()
        )
        article = rulebook.ground(removed.ground).article
        if not ARTICLE_21.search(article):
            raise RuleError(
                f"a verified complaint leads to removal under 003 art. 21 ({RULE}); the "
                f"removal {removal} was on the ground {removed.ground} ({article})"
            )
    listing = designation_key(complaint.programme, complaint.jurisdiction)
    unit.record(act.event_class, listing=listing, **event_fields(act, signer.id, now))
    return Decision(act, [unit])
