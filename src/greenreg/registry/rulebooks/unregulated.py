"""The rules of a list on a day when no adopted rulebook was in force for it: history only.

Before a policy text is in force it says nothing, so nothing may be invented from it
(DOMAIN.md, "When and where each text is law"). An act on such a list is recorded when the
unit's own history allows it (not ceased, not already listed, dates in order, no ban recorded
earlier running): designations, namings, creation approvals and extensions, removals on any
ground (with **no** ban), reports (no deadline), renames and reorganisations (no notice
deadline). What only a text can provide (warnings, lifting them, disqualifications) is refused,
saying that no rule in force provides for it.
"""

from __future__ import annotations

from datetime import date

from greenreg.errors import RuleError
from greenreg.events.acts import Override
from greenreg.events.places import name_of
from greenreg.events.vocabulary import Flag
from greenreg.registry.rulebooks.base import Ground, Rulebook
from greenreg.registry.unit import Ban, Creation, UnitState

NO_RULE = "no rule in force"


class Unregulated(Rulebook):
    """The list ``programme`` of ``jurisdiction`` on ``day``, with no rulebook in force."""

    source = ""

    def __init__(self, programme: str, jurisdiction: str, day: date) -> None:
        self.programme, self.jurisdiction, self.day = programme, jurisdiction, day
        self.programmes = (programme,)
        self.title = f"no rule in force on {day}"

    def _refuse(self, what: str) -> RuleError:
        return RuleError(
            f"no rule in force in the registry on {self.day} for {self.programme} lists of "
            f"{name_of(self.jurisdiction)} ({self.jurisdiction}) provides for {what}"
        )

    def governs(self, programme: str, jurisdiction: str) -> bool:
        return (programme, jurisdiction) == (self.programme, self.jurisdiction)

    def check_act(self, act_type: str, jurisdiction: str) -> None:
        refused = {
            "warn": "warnings",
            "lift_warning": "lifting a warning",
            "disqualify": "disqualifying an application",
        }
        if act_type in refused:
            raise self._refuse(refused[act_type])

    def check_creation(self, unit: UnitState, jurisdiction: str, effective: date) -> None:
        self.check_not_banned(unit, self.programme, jurisdiction, effective)

    def check_extension(
        self,
        creation: Creation,
        effective: date,
        extended_to: date,
        override: Override | None = None,
    ) -> list[Flag]:
        """No length or number of extensions is known without a text: history only."""
        if extended_to <= max(effective, creation.approved_on):
            raise RuleError(
                f"an extension to {extended_to} ends before it is decided ({effective})"
            )
        return []

    def check_naming(self, unit: UnitState, effective: date) -> None:
        self.check_not_banned(unit, self.programme, self.jurisdiction, effective)

    def check_warning(self, ground: str, effective: date, rectify_by: date) -> None:
        raise self._refuse("warnings")

    def disqualification_bans(self, jurisdiction: str, effective: date) -> list[Ban]:
        raise self._refuse("disqualifying an application")

    def ground(self, code: str) -> Ground:
        """Any ground, as the authority states it; no ban follows."""
        return Ground(NO_RULE, code, 0, "")

    def bans_after(
        self, programme: str, jurisdiction: str, ground_code: str, effective: date
    ) -> list[Ban]:
        return []
