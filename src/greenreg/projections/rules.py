"""Which rulebook governs which lists, from when: the rule adoptions as the read models hold them.

The fold writes one ``rm_rules`` row per ``RulesAdopted`` event; the incremental runner reads
them back to say, for each later event, which rules judged it, and ``GET /api/v1/rules`` and
GraphQL ``rules`` answer with them.
"""

from __future__ import annotations

from datetime import date
from uuid import UUID

from greenreg.projections.database import ReadStore, parse_record_time
from greenreg.projections.reading import evidence
from greenreg.projections.views import RuleView
from greenreg.registry.rulebooks.law import RULEBOOKS, Adoption

COLUMNS = (
    "rulebook, text, jurisdiction, first_day, last_day, document_number, act_id, "
    "recorded_at, event_id, position"
)


def _rows(store: ReadStore) -> list[tuple[object, ...]]:
    return [
        tuple(row)
        for row in store.query(f"SELECT {COLUMNS} FROM rm_rules ORDER BY position")  # noqa: S608
    ]


def adoptions_in(store: ReadStore) -> list[Adoption]:
    """The adoptions folded so far, in log order."""
    return [
        Adoption(
            str(rulebook),
            str(jurisdiction),
            date.fromisoformat(str(first)),
            date.fromisoformat(str(last)) if last else None,
            str(document),
            UUID(str(act_id)),
        )
        for rulebook, _, jurisdiction, first, last, document, act_id, *_ in _rows(store)
    ]


def rules(store: ReadStore) -> list[RuleView]:
    """Every adoption of a rulebook, in log order, with the lists it governs."""
    return [
        RuleView(
            rulebook=str(rulebook),
            text=str(text),
            programmes=RULEBOOKS[str(rulebook)].programmes,
            jurisdiction=str(jurisdiction),
            in_force_from=date.fromisoformat(str(first)),
            in_force_until=date.fromisoformat(str(last)) if last else None,
            document_number=str(document),
            recorded_at=parse_record_time(str(recorded)),
            evidence=evidence(str(event), int(str(position))),
        )
        for rulebook, text, jurisdiction, first, last, document, _, recorded, event, position in (
            _rows(store)
        )
    ]
