"""Eco-industrial parks (004, 生态文明建设示范区（生态工业园区）管理办法).

The path is longer than a listing: the provincial eco-environment department, with commerce
and industry, approves creation (art. 12); the creation period runs at least 2 and at most 3
years from approval; an extension is "in principle" at most 1 year (art. 13: the province may
depart from it, stating why; the number of extensions is not limited), and the title may not be
used before naming; the province stops a creation on five grounds (art. 15); the coordination
mechanism of MEE, MOFCOM and MIIT names the park after acceptance (arts. 16-21), warns it with at
most 1 year to rectify (arts. 26-27; the title may not be used meanwhile) and revokes it
(art. 28): no new creation for 3 years, 5 years for grounds (1)-(3); ground (4) only once a
warning's rectification deadline has passed unlifted. Work reports are due by 30 June of the
next year (art. 24); major changes during creation are reported within 6 months, or acceptance
is withheld (the first art. 14; 004 has two articles numbered 14).
"""

from __future__ import annotations

from datetime import date

from greenreg.errors import HistoryError, RuleError
from greenreg.events.acts import Override
from greenreg.events.places import NATIONAL, Level, level_of
from greenreg.events.vocabulary import Flag, Programme
from greenreg.registry.periods import period_end
from greenreg.registry.rulebooks.base import Ground, ReportDeadline, Rulebook, Scope, flag
from greenreg.registry.rulebooks.principle import depart
from greenreg.registry.unit import LATE_CHANGE_RULE, Creation, Designation, UnitState

ECO_PARK = Programme.ECO_PARK.value
CREATION_MIN_YEARS = 2
CREATION_MAX_YEARS = 3
EXTENSION_MAX_YEARS = 1
RECTIFICATION_MAX_YEARS = 1
NOTICE_MONTHS = 6
BAN_3 = "004 art. 28: 3 years"
BAN_5 = "004 art. 28: 5 years for grounds (1)-(3)"


def creation_ends_on(creation: Creation) -> date:
    """The last day of the creation period, inclusive: 3 years from approval, or the
    extension's end (004 art. 13)."""
    return creation.extended_to or period_end(creation.approved_on, years=CREATION_MAX_YEARS)


class EcoParkRulebook(Rulebook):
    source = "004"
    title = "the eco-industrial parks"
    programmes = (ECO_PARK,)
    levels = (Level.NATIONAL, Level.PROVINCIAL)
    removal_grounds = {  # noqa: RUF012
        "serious_pollution": Ground("004 art. 28(1)", "serious pollution incident", 5, BAN_5),
        "central_inspection": Ground("004 art. 28(2)", "central inspection findings", 5, BAN_5),
        "falsified_data": Ground("004 art. 28(3)", "falsified data or materials", 5, BAN_5),
        "rectification_failed": Ground("004 art. 28(4)", "warning not rectified", 3, BAN_3),
        "no_management_body": Ground("004 art. 28(5)", "no body left to run it", 3, BAN_3),
        "withdrawn_on_request": Ground("004 art. 28(6)", "the park asked to withdraw", 3, BAN_3),
        "other": Ground("004 art. 28(7)", "other verified grounds", 3, BAN_3),
    }
    warning_grounds = {  # noqa: RUF012
        "negative_publicity": "004 art. 27(1)",
        "infrastructure": "004 art. 27(2)",
        "unreported_change": "004 art. 27(3)",
        "performance_failed": "004 arts. 26, 27(4)",
        "report_missing": "004 art. 27(5)",
        "other": "004 art. 27(6)",
    }
    stop_grounds = {  # noqa: RUF012
        "serious_incident": "004 art. 15(1)",
        "negative_publicity": "004 art. 15(2)",
        "infrastructure": "004 art. 15(3)",
        "unreported_change": "004 art. 15(4)",
        "other": "004 art. 15(5)",
    }
    report_deadlines: dict[str, ReportDeadline | None] = {  # noqa: RUF012
        "annual_work_report": ReportDeadline(6, 30, "004 art. 24"),
        "performance_evaluation": None,  # art. 25: every 3 years from naming
    }

    def check_act(self, act_type: str, jurisdiction: str) -> None:
        provincial = act_type in ("approve_creation", "extend_creation", "stop_creation")
        if act_type == "designate":
            raise RuleError(
                "eco-industrial parks are named ('name_park'), not designated (004 art. 21)"
            )
        if act_type == "disqualify":
            super().check_act(act_type, jurisdiction)
        expected = Level.PROVINCIAL if provincial else Level.NATIONAL
        if level_of(jurisdiction) != expected:
            who = (
                "the provincial eco-environment department"
                if provincial
                else ("the coordination mechanism (CN)")
            )
            raise RuleError(
                f"a {act_type!r} act for an eco-industrial park is issued by {who} "
                f"(004 arts. {'12-15' if provincial else '21, 26-28'})"
            )

    def check_creation(self, unit: UnitState, jurisdiction: str, effective: date) -> None:
        """Approval to create: a park, not banned, not already creating or named (004 art. 12)."""
        if unit.kind != "park":
            raise RuleError("only industrial parks can become eco-industrial parks (004 art. 7)")
        self.check_not_banned(unit, ECO_PARK, jurisdiction, effective)
        for (programme, _), creation in unit.creations.items():
            if programme == ECO_PARK and effective <= creation_ends_on(creation):
                raise HistoryError(
                    f"{unit.name} is already in creation since {creation.approved_on} "
                    f"(until {creation_ends_on(creation)}; 004 art. 13)"
                )
        named = unit.designations.get((ECO_PARK, NATIONAL))
        if named is not None and named.in_force:
            raise HistoryError(f"{unit.name} is already named, since {named.since}")

    def check_extension(
        self,
        creation: Creation,
        effective: date,
        extended_to: date,
        override: Override | None = None,
    ) -> list[Flag]:
        """An extension is decided within the creation period and ends after it (hard limits);
        it runs at most 1 year past the period's current end in principle (004 art. 13). The
        text does not limit how many extensions there are."""
        ends = creation_ends_on(creation)
        if effective > ends:
            raise RuleError(
                f"the creation period ended on {ends}; it can no longer be extended (004 art. 13)"
            )
        if extended_to <= ends:
            raise RuleError(
                f"an extension ends after the creation period's current end {ends} "
                f"(004 art. 13); {extended_to} does not"
            )
        latest = period_end(ends, years=EXTENSION_MAX_YEARS)
        if extended_to <= latest:
            return []
        refusal = (
            f"an extension runs past {ends} by at most 1 year, to {latest} at the latest; "
            f"{extended_to} is later"
        )
        return [depart(override, "004 art. 13", refusal)]

    def check_stop(self, ground: str) -> None:
        """Creation is stopped on one of five grounds (004 art. 15)."""
        self.check_ground(ground, self.stop_grounds, "stop")

    def check_naming(self, unit: UnitState, effective: date) -> None:
        """Naming needs an approved creation at least 2 years old and not yet ended:
        from the 2nd anniversary of approval through the period's last day, both included."""
        self.check_not_banned(unit, ECO_PARK, NATIONAL, effective)
        creations = [c for (p, _), c in unit.creations.items() if p == ECO_PARK]
        if not creations:
            raise RuleError(
                f"{unit.name} has no approved creation; a park is named only after creation "
                "(004 arts. 12, 21)"
            )
        creation = creations[-1]
        earliest = period_end(creation.approved_on, years=CREATION_MIN_YEARS)
        ends = creation_ends_on(creation)
        if effective < earliest:
            raise RuleError(
                f"the creation period approved on {creation.approved_on} lasts at least 2 years; "
                f"naming is possible from {earliest} (004 art. 13)"
            )
        if effective > ends:
            raise RuleError(
                f"the creation period ended on {ends} without naming; the park must apply to "
                "create again (004 arts. 13, 22)"
            )
        late = [c for c in unit.late_changes if c >= creation.approved_on]
        if late:
            raise RuleError(
                f"{unit.name} did not report its change of {late[0]} within 6 months; its "
                f"acceptance is withheld (不予开展验收, {LATE_CHANGE_RULE}), so it cannot be named"
            )

    def check_removal(self, designation: Designation, ground: str, effective: date) -> None:
        """Ground (4) presupposes an exit warning whose rectification deadline has passed
        without the warning being lifted (004 art. 28(4)): from the day after the deadline."""
        if ground != "rectification_failed":
            return
        if designation.status != "warned" or designation.rectify_by is None:
            raise RuleError(
                "a revocation for failed rectification needs an exit warning in force "
                "(004 art. 28(4)); the park is not under a warning"
            )
        if effective <= designation.rectify_by:
            raise RuleError(
                f"the rectification deadline runs to {designation.rectify_by} inclusive; a "
                "revocation for failed rectification is possible from the day after "
                "(004 art. 28(4))"
            )

    def check_warning(self, ground: str, effective: date, rectify_by: date) -> None:
        super().check_warning(ground, effective, rectify_by)
        latest = period_end(effective, years=RECTIFICATION_MAX_YEARS)
        if rectify_by > latest:
            raise RuleError(
                f"rectification after an exit warning is due within 1 year, by {latest} at the "
                f"latest (004 art. 26); {rectify_by} is too late"
            )

    def ban_scope(self, programme: str, jurisdiction: str, ground: Ground) -> Scope:
        # No new application to create, in any province, nor naming (004 art. 28).
        return (ECO_PARK,), (NATIONAL,)

    def notice_flags(self, unit: UnitState, changed_on: date, reported_on: date) -> list[Flag]:
        """During creation, report within 6 months of the change (that day included)."""
        in_creation = any(
            p == ECO_PARK and changed_on <= creation_ends_on(c)
            for (p, _), c in unit.creations.items()
        )
        due = period_end(changed_on, months=NOTICE_MONTHS)
        if not in_creation or reported_on <= due:
            return []
        return [
            flag(
                "late_notice",
                LATE_CHANGE_RULE,
                f"reported on {reported_on}, after {due} (6 months after the change on "
                f"{changed_on}); acceptance is withheld for changes not reported in time",
            )
        ]
