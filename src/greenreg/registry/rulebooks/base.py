"""What every rulebook has: its programmes, its grounds, its deadlines, and the common checks.

A rulebook is law as code for one policy text. Every rule names the file and article it comes
from (the texts ship in ``greenreg/data/seeds/``; a test checks each cited article exists), and
says whether its end date is inclusive. All end dates in this package are inclusive: the last
day on which the rule still applies.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date

from greenreg.errors import BanError, CalendarCoverageError, RuleError
from greenreg.events.acts import Override
from greenreg.events.places import Level, level_of, name_of, within
from greenreg.events.vocabulary import Flag, Programme
from greenreg.registry.evaluator import Sanction
from greenreg.registry.periods import period_end
from greenreg.registry.unit import Ban, Creation, Designation, UnitState

GREEN_MANUFACTURING = (
    Programme.GREEN_FACTORY.value,
    Programme.GREEN_PARK.value,
    Programme.GREEN_SUPPLY_CHAIN.value,
)


@dataclass(frozen=True)
class Ground:
    """A ground for removal: its article, and the ban it brings (``ban_years`` 0: none)."""

    article: str
    text: str
    ban_years: int
    ban_rule: str


@dataclass(frozen=True)
class ReportDeadline:
    """A yearly report for year Y is due on ``month``/``day`` of Y+1, that day included."""

    month: int
    day: int
    rule: str


Scope = tuple[tuple[str, ...], tuple[str, ...]]
"""Which lists a ban covers: (programmes, jurisdictions); a jurisdiction covers those inside it."""


def flag(code: str, rule: str, message: str) -> Flag:
    return {"code": code, "rule": rule, "message": message}


class Rulebook:
    """The rules of one policy text. Subclasses fill in the tables and add their own checks."""

    source = ""  # the seed file's number: 000, 001, 002, 003, 004
    title = ""
    programmes: tuple[str, ...] = ()
    levels: tuple[Level, ...] = ()
    removal_grounds: dict[str, Ground] = {}  # noqa: RUF012 (read-only tables in subclasses)
    warning_grounds: dict[str, str] = {}  # noqa: RUF012
    no_warnings = ""  # a text without warnings: the refusal, saying what the text has instead
    report_deadlines: dict[str, ReportDeadline | None] = {}  # noqa: RUF012
    evaluator_grounds: dict[str, str] = {}  # noqa: RUF012 (ground code -> its article)

    def governs(self, programme: str, jurisdiction: str) -> bool:
        return programme in self.programmes and level_of(jurisdiction) in self.levels

    def check_act(self, act_type: str, jurisdiction: str) -> None:
        """Which acts this rulebook knows at which level (eco-parks differ; see there)."""
        if act_type == "warn" and self.no_warnings:
            raise RuleError(self.no_warnings)
        if act_type in ("approve_creation", "extend_creation", "name_park"):
            raise RuleError(
                f"{self.title} has no creation period or naming; use 'designate' ({self.source})"
            )
        if act_type == "disqualify":
            raise RuleError(
                f"{self.title} has no disqualification of applications; "
                "it exists in the provincial rules (003 art. 22)"
            )

    # --- designation ------------------------------------------------------------------------

    def check_designation(
        self,
        unit: UnitState,
        programme: str,
        jurisdiction: str,
        effective: date,
        override: Override | None = None,
    ) -> list[Flag]:
        """Refuse a designation the text forbids; the flags of what it allows with a remark
        (a departure from a rule in principle, a recommendation below its grade)."""
        self.check_not_banned(unit, programme, jurisdiction, effective)
        return []

    @staticmethod
    def check_not_banned(
        unit: UnitState, programme: str, jurisdiction: str, effective: date
    ) -> None:
        """A banned unit may not be designated or approved within the ban's scope, from the
        ban's first day to its last day, both included."""
        for ban in unit.bans:
            covered = programme in ban.programmes and any(
                within(jurisdiction, area) for area in ban.jurisdictions
            )
            if covered and ban.first_day <= effective <= ban.last_day:
                raise BanError(
                    f"{unit.name} is banned from {programme} lists of "
                    f"{', '.join(name_of(j) for j in ban.jurisdictions)} "
                    f"from {ban.first_day} to {ban.last_day} inclusive ({ban.rule}; "
                    f"ground: {ban.ground}); it may be listed or approved again from "
                    f"{date.fromordinal(ban.last_day.toordinal() + 1)}"
                )

    @staticmethod
    def check_grade(grade: str | None) -> None:
        """Grades are free text unless a rulebook sets a scale (003 art. 14 does)."""

    # --- the eco-park path; only the eco-park rulebook has it (check_act refuses it first) --

    def check_creation(self, unit: UnitState, jurisdiction: str, effective: date) -> None:
        raise RuleError(f"{self.title} has no creation period")

    def check_extension(
        self,
        creation: Creation,
        effective: date,
        extended_to: date,
        override: Override | None = None,
    ) -> list[Flag]:
        raise RuleError(f"{self.title} has no creation period")

    def check_stop(self, ground: str) -> None:
        raise RuleError(f"{self.title} has no creation period")

    def check_naming(self, unit: UnitState, effective: date) -> None:
        raise RuleError(f"{self.title} has no naming")

    def disqualification_bans(self, jurisdiction: str, effective: date) -> list[Ban]:
        raise RuleError(f"{self.title} has no disqualification of applications")

    # --- warnings and removals --------------------------------------------------------------

    def check_warning(self, ground: str, effective: date, rectify_by: date) -> None:
        self.check_ground(ground, self.warning_grounds, "warning")
        if rectify_by < effective:
            raise RuleError(
                f"the rectification deadline {rectify_by} is before the warning ({effective})"
            )

    def check_removal(self, designation: Designation, ground: str, effective: date) -> None:
        """What a removal on ``ground`` presupposes (eco-parks: a failed rectification)."""

    def ground(self, code: str) -> Ground:
        self.check_ground(code, self.removal_grounds, "removal")
        return self.removal_grounds[code]

    def check_ground(self, code: str, table: Mapping[str, object], what: str) -> None:
        if code not in table:
            known = ", ".join(sorted(table)) or "none"
            raise RuleError(f"{code!r} is not a {what} ground of {self.title}; grounds: {known}")

    def ban_scope(self, programme: str, jurisdiction: str, ground: Ground) -> Scope:
        """Which lists a removal on ``ground`` bars the unit from."""
        raise NotImplementedError

    def bans_after(
        self, programme: str, jurisdiction: str, ground_code: str, effective: date
    ) -> list[Ban]:
        """The ban a removal brings: from the removal's effective date through the
        corresponding day ``ban_years`` later, inclusive (Civil Code arts. 201-202)."""
        ground = self.ground(ground_code)
        if ground.ban_years == 0:
            return []
        programmes, jurisdictions = self.ban_scope(programme, jurisdiction, ground)
        return [
            Ban(
                programmes=programmes,
                jurisdictions=jurisdictions,
                first_day=effective,
                last_day=period_end(effective, years=ground.ban_years),
                rule=ground.ban_rule,
                ground=f"{ground_code} ({ground.article})",
            )
        ]

    # --- third-party evaluators -------------------------------------------------------------

    def evaluator_sanction(self, jurisdiction: str, effective: date, ground: str) -> Sanction:
        """The sanction an authority of ``jurisdiction`` gives an evaluator on ``ground``, from
        ``effective``: which lists refuse its results, until when. Default: the text has none."""
        raise RuleError(
            f"{self.title} provide no sanction of third-party evaluators for "
            f"{name_of(jurisdiction)} ({jurisdiction}); evaluators are sanctioned under "
            "003 art. 24 (a province applying 003, or MIIT) and 001 art. 22 (Chongqing)"
        )

    def check_evaluator_ground(self, ground: str) -> str:
        """The article of an evaluator sanction's ground."""
        self.check_ground(ground, self.evaluator_grounds, "evaluator sanction")
        return self.evaluator_grounds[ground]

    # --- compliance flags (never refusals) -------------------------------------------------

    def notice_flags(self, unit: UnitState, changed_on: date, reported_on: date) -> list[Flag]:
        """Flags for a rename or reorganisation reported late. Default: no fixed deadline."""
        return []


def late_report_flags(
    report: str, year: int, filed_on: date, deadline: ReportDeadline
) -> list[Flag]:
    """A yearly report for ``year`` filed after its deadline in the next year (that day
    included) raises a flag."""
    due = date(year + 1, deadline.month, deadline.day)
    if filed_on <= due:
        return []
    return [
        flag(
            "late_report",
            deadline.rule,
            f"the {report} for {year} was filed on {filed_on}, after its deadline {due}",
        )
    ]


def calendar_flag(rule: str, error: CalendarCoverageError) -> Flag:
    """What to say when a deadline cannot be computed: that it cannot, and why."""
    return flag("deadline_undetermined", rule, str(error))
