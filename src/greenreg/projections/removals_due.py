"""Removals due after a major accident: lists still in force that their owners have yet to end.

003 art. 21 (last paragraph) says a unit with a major production-safety or quality accident, or
a level-II (major) or worse environmental incident, is removed "from every level"; but each list
is ended by the authority that owns it (arts. 19-20: the city reports to the province, the
province to MIIT). The registry records the incident as a fact (``IncidentRecorded``), and
every list of the unit in force on the day of the incident whose rules provide that paragraph
(national lists, and the lists the provincial rules 003 govern) is marked "removal due under
003 art. 21, pending at <level> (<owner>)" until its owner removes it. The mark is read from
the incidents and the present designations; nothing is stored for it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from uuid import UUID

from greenreg.projections.database import ReadStore
from greenreg.projections.rules import adoptions_in
from greenreg.registry.rulebooks import NationalRulebook, ProvincialRulebook
from greenreg.registry.rulebooks.law import Adoption, governing

RULE = "003 art. 21"
GREEN_MANUFACTURING = ("green_factory", "green_park", "green_supply_chain")


@dataclass(frozen=True)
class RemovalDue:
    """A list the unit is still on although an incident makes its removal due."""

    programme: str
    level: str
    jurisdiction: str
    owner: str
    incident: str
    occurred_on: date
    document_number: str
    rule: str
    mark: str


def removals_due(store: ReadStore, unit_id: UUID) -> list[RemovalDue]:
    """The unit's lists in force that an incident makes due for removal, oldest incident
    first."""
    rows = store.query(
        "SELECT d.programme, d.level, d.jurisdiction, COALESCE(a.name, h.authority_id), "
        "i.incident, i.occurred_on, i.document_number FROM rm_incidents i "
        "JOIN rm_designations d ON d.unit_id = i.unit_id "
        "LEFT JOIN rm_history h ON h.unit_id = d.unit_id AND h.event_id = d.origin_event "
        "LEFT JOIN rm_authorities a ON a.authority_id = h.authority_id "
        "WHERE i.unit_id = ? AND d.status IN ('listed', 'warned') AND d.since <= i.occurred_on "
        "ORDER BY i.position, d.level, d.programme, d.jurisdiction",
        [str(unit_id)],
    )
    if not rows:  # most units: no incident, and no need to read the rules
        return []
    adoptions = adoptions_in(store)
    return [
        RemovalDue(
            programme=programme,
            level=level,
            jurisdiction=jurisdiction,
            owner=owner,
            incident=incident,
            occurred_on=date.fromisoformat(occurred_on),
            document_number=document,
            rule=RULE,
            mark=f"removal due under {RULE}, pending at {level} ({owner})",
        )
        for programme, level, jurisdiction, owner, incident, occurred_on, document in rows
        if _provides_article_21(programme, jurisdiction, date.fromisoformat(occurred_on), adoptions)
    ]


def _provides_article_21(
    programme: str, jurisdiction: str, occurred_on: date, adoptions: list[Adoption]
) -> bool:
    """On the day of the incident, the list was governed by 003 or by the national rules it
    implements, which carry art. 21's last paragraph; Chongqing's (001), Zhejiang's (002) and
    eco-parks (004) have their own rules, and before any text was in force none applies."""
    if programme not in GREEN_MANUFACTURING:
        return False
    adoption = governing(programme, jurisdiction, occurred_on, adoptions)
    return adoption is not None and isinstance(adoption.book, ProvincialRulebook | NationalRulebook)
