"""Units living realistic lives, year by year, as the acts their authorities would issue.

Each year every authority publishes its lists on its own days: a review (eco-park exit
warnings; on lists under 003, rectification orders after verified public complaints; removals
with their bans), a notice lifting the warnings and orders of units that rectified, and its yearly
designations (new units registered and listed, units climbing a level, units reapplying after
their ban). Eco-industrial parks are approved to create, some get their one extension, most are
named after two years, some lapse and apply again. Units file their yearly reports (most on time,
some late, a few never, which brings an eco-park a warning, any other unit a removal), and about
5 % change their name. Only eco-parks are warned (004 arts. 26-27): 001, 002, 003 and the
national lists have no warning act.

The simulation keeps just enough state to issue only acts the registry accepts: it mirrors the
rulebooks' checks conservatively (a unit under any ban is not listed anywhere until it ends) and
asks the registry's own rulebooks for grounds and ban lengths.
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any
from uuid import UUID

from bench.corpus.authorities import BY_CODE, ORDER
from bench.corpus.geography import CHONGQING, Placement, Rung, place
from bench.corpus.identities import Identity, identity, renamed
from greenreg.events.places import NATIONAL
from greenreg.registry.periods import period_end
from greenreg.registry.rulebooks import RULEBOOKS

GM = ("green_factory", "green_park", "green_supply_chain")
ECO = "eco_park"

P_CLIMB = 0.22  # a listed unit reaches the next level in a given year
P_REAPPLY = 0.35  # a unit whose ban is over is listed again in a given year
P_COMPLAINT = 0.04  # a unit on a 003 list is the subject of a complaint verified this year
P_LIFT = 0.65  # a warned unit rectifies in time
P_REMOVE = 0.003  # removal without a warning first
P_MAJOR_ACCIDENT = 0.03  # share of direct removals for a major accident (003 art. 21)
P_DISQUALIFY = 0.02  # a provincial application disqualified for fraud (003 art. 22)
P_LATE, P_MISSING = 0.10, 0.03
P_REMOVE_MISSING = 0.3  # a missing report brings a removal; otherwise a warning
P_RENAME = 0.05
P_NAME_AT_TWO = 0.75  # an eco-park is named at its first chance
P_EXTEND = 0.6  # an eco-park not named in time gets its extension
P_ECO_WARN = 0.05

# Authority kind -> slot kind -> (first month, last month) of the day it publishes.
PROVINCIAL_EIT = ("js-eit", "zj-eit", "gd-eit", "sd-eit")
MUNICIPAL_EIT = ("nj-eit", "sz-eit", "hz-eit", "nb-eit", "gz-eit", "shz-eit", "jn-eit", "qd-eit")
PROVINCIAL_ECO = ("js-eco", "zj-eco", "gd-eco", "sd-eco", "cq-eco")
SLOT_MONTHS: dict[str, dict[str, tuple[int, int]]] = {
    "miit": {"review": (6, 6), "designate": (11, 12)},
    "cq-eit": {"review": (8, 8), "designate": (12, 12)},
    "eco-cm": {"review": (8, 8), "name": (11, 11)},
    **{a: {"review": (7, 7), "designate": (9, 10)} for a in PROVINCIAL_EIT},
    **{a: {"review": (8, 8), "designate": (5, 6)} for a in MUNICIPAL_EIT},
    **{a: {"approve": (4, 4)} for a in PROVINCIAL_ECO},
}
LIFT_AFTER = timedelta(days=100)
RECTIFY_WITHIN = timedelta(days=182)
EXTENSION_AFTER_NAMING = timedelta(days=20)
# Same-day announcements: which comes first.
RANK = {
    "keys": 0,
    "review": 1,
    "lift": 2,
    "approve": 3,
    "designate": 3,
    "name": 3,
    "extend": 4,
    "reports": 5,
    "changes": 6,
}


@dataclass
class Draft:
    """An act before it is signed."""

    act_type: str
    act_id: UUID
    effective: date
    document: str
    fields: dict[str, Any]


@dataclass
class Plan:
    """An announcement before it is signed: one authority's acts published on one day."""

    day: date
    kind: str
    authority: str
    title: str
    drafts: list[Draft] = field(default_factory=list)

    @property
    def order(self) -> tuple[date, int, int]:
        return (self.day, RANK[self.kind], ORDER.get(self.authority, -1))


@dataclass
class Listing:
    status: str  # listed, warned, removed
    since: date
    changed_on: date


@dataclass
class Creation:
    approved_on: date
    ends_on: date
    jurisdiction: str
    extended: bool = False


@dataclass
class Life:
    """What the simulation knows about one unit."""

    who: Identity
    placement: Placement
    entry_year: int
    founded: date
    name: str
    registered: bool = False
    listings: dict[tuple[str, str], Listing] = field(default_factory=dict)
    banned_until: date = date.min
    creation: Creation | None = None
    missing: list[str] = field(default_factory=list)  # reports missed for last year

    @property
    def ref(self) -> str:
        return self.who.reference

    def in_force(self, key: tuple[str, str]) -> bool:
        listing = self.listings.get(key)
        return listing is not None and listing.status in ("listed", "warned")


def slot_day(seed: int, authority: str, kind: str, year: int) -> date:
    first, last = SLOT_MONTHS[authority][kind]
    rng = random.Random(f"greenreg corpus slot:{seed}:{authority}:{kind}:{year}")
    return date(year, rng.randint(first, last), rng.randint(1, 28))


class Simulation:
    """``units`` lives over ``years`` years from ``first_year``; :meth:`year` plans one year."""

    def __init__(self, seed: int, units: int, first_year: int, years: int) -> None:
        self.seed = seed
        self.first_year = first_year
        self.years = years
        self.rng = random.Random(f"greenreg corpus lives:{seed}")
        weights = [1 + 0.2 * y for y in range(years)]
        self.lives: list[Life] = []
        self.by_authority: dict[str, list[Life]] = {}
        for index in range(units):
            placement = place(seed, index)
            who = identity(seed, index, placement.kind, placement.area)
            entry = first_year + self.rng.choices(range(years), weights)[0]
            founded = date(
                self.rng.randint(1985, entry - 1), self.rng.randint(1, 12), self.rng.randint(1, 28)
            )
            life = Life(who, placement, entry, founded, who.name)
            self.lives.append(life)
            authorities = [r.authority for r in placement.ladder]
            if placement.eco:
                authorities += [placement.eco, "eco-cm"]
            for code in dict.fromkeys(authorities):
                self.by_authority.setdefault(code, []).append(life)
        self.plans: dict[tuple[date, str, str], Plan] = {}

    # --- planning -----------------------------------------------------------------------

    def year(self, year: int) -> list[Plan]:
        """Every announcement of ``year``, in the order they are published."""
        self.plans = {}
        self.reports(year)
        self.changes(year)
        slots = []
        for authority, kinds in SLOT_MONTHS.items():
            for kind in kinds:
                day = slot_day(self.seed, authority, kind, year)
                slots.append((day, RANK[kind], ORDER[authority], kind, authority))
                if kind == "review":
                    slots.append(
                        (day + LIFT_AFTER, RANK["lift"], ORDER[authority], "lift", authority)
                    )
        for day, _, _, kind, authority in sorted(slots):
            getattr(self, f"slot_{kind}")(authority, day, year)
        return sorted(self.plans.values(), key=lambda p: p.order)

    def plan(self, day: date, kind: str, authority: str, title: str) -> Plan:
        key = (day, kind, authority)
        if key not in self.plans:
            self.plans[key] = Plan(day, kind, authority, title)
        return self.plans[key]

    def act(self, plan: Plan, act_type: str, effective: date, document: str, **fields: Any) -> UUID:
        act_id = UUID(int=self.rng.getrandbits(128), version=4)
        plan.drafts.append(Draft(act_type, act_id, effective, document, fields))
        return act_id

    def document(self, authority: str, year: int) -> str:
        return f"{BY_CODE[authority].document_prefix}〔{year}〕{self.rng.randint(1, 400)}号"

    def register(self, plan: Plan, life: Life) -> None:
        who = life.who
        self.act(
            plan,
            "register_unit",
            life.founded,
            f"{who.name} 登记信息",
            kind=who.kind,
            name=who.name,
            credit_code=who.credit_code,
            division=who.division,
        )
        plan.drafts[-1].act_id = who.register_act_id
        life.registered = True

    # --- reports and changes: dated by the unit, grouped by the week or month received ----

    def reports(self, year: int) -> None:
        """Reports for last year, filed this year: most on time, some late, a few missing."""
        last = year - 1
        for life in self.lives:
            life.missing = []
            if not life.registered:
                continue
            kinds = []
            if any(k[0] in GM and life.in_force(k) and k[1] != CHONGQING for k in life.listings):
                kinds.append(("form", "dynamic_management_form", (3, 1), (4, 15), (6, 30)))
            if any(k[1] == CHONGQING and life.in_force(k) for k in life.listings):
                kinds.append(("cq", "key_indicators", (5, 1), (8, 31), (9, 30)))
            if life.in_force((ECO, NATIONAL)):
                kinds.append(("eco", "annual_work_report", (4, 1), (6, 30), (9, 30)))
            for tag, report, start, due, latest in kinds:
                draw = self.rng.random()
                if draw < P_MISSING:
                    life.missing.append(tag)
                    continue
                late = draw < P_MISSING + P_LATE
                first = date(year, *due) + timedelta(days=1) if late else date(year, *start)
                end = date(year, *latest) if late else date(year, *due)
                filed = first + timedelta(days=self.rng.randint(0, (end - first).days))
                week_end = filed + timedelta(days=6 - filed.weekday())
                plan = self.plan(
                    week_end,
                    "reports",
                    life.placement.home,
                    f"{report} received in the week to {week_end}",
                )
                self.act(
                    plan,
                    "file_report",
                    filed,
                    f"{last}年度 {report}",
                    unit=life.ref,
                    report=report,
                    year=last,
                    filed_on=filed,
                )

    def changes(self, year: int) -> None:
        """About 5 % of registered units change their name; Chongqing units report some late."""
        for life in self.lives:
            if not life.registered or self.rng.random() >= P_RENAME:
                continue
            effective = date(year, 1, 1) + timedelta(days=self.rng.randint(0, 303))
            delay = self.rng.randint(3, 40)
            if life.placement.home == "cq-eit" and self.rng.random() < 0.2:
                delay = self.rng.randint(50, 60)  # past 30 working days (001 art. 19)
            reported = effective + timedelta(days=delay)
            month_end = (
                date(year, reported.month, 28) if reported.month != 12 else date(year, 12, 31)
            )
            month_end = max(month_end, reported)
            plan = self.plan(
                month_end, "changes", life.placement.home, f"name changes recorded by {month_end}"
            )
            new_name = renamed(life.name, life.who.kind, self.rng)
            self.act(
                plan,
                "rename",
                effective,
                f"{life.name} 更名通知",
                unit=life.ref,
                new_name=new_name,
                reported_on=reported,
            )
            life.name = new_name

    # --- the authorities' days --------------------------------------------------------------

    def keys_of(self, life: Life, authority: str) -> list[tuple[str, str]]:
        keys = [
            (r.programme, r.jurisdiction) for r in life.placement.ladder if r.authority == authority
        ]
        if authority == "eco-cm":
            keys.append((ECO, NATIONAL))
        return keys

    def slot_review(self, authority: str, day: date, year: int) -> None:
        """Dynamic management: unrectified warnings and orders end in removal; a missing report
        brings an eco-park a warning or a removal, any other unit a removal; a few eco-parks
        are warned, a few units on 003 lists ordered to rectify after a verified complaint,
        and a few units removed outright."""
        plan = self.plan(day, "review", authority, f"{authority} dynamic management {year}")
        document = self.document(authority, year)
        for life in self.by_authority.get(authority, []):
            for key in self.keys_of(life, authority):
                listing = life.listings.get(key)
                if listing is None or listing.status == "removed" or listing.changed_on >= day:
                    continue
                missed = self.missed(life, key)
                if listing.status == "warned":
                    self.remove(
                        plan, life, key, day, document, ground_code=UNRECTIFIED[rules_of(key)]
                    )
                elif (
                    missed
                    and (not WARNINGS[rules_of(key)] or self.rng.random() < P_REMOVE_MISSING)
                    and key[0] != ECO
                ):
                    ground = "missed_review" if key[1] == CHONGQING else "report_refused"
                    self.remove(plan, life, key, day, document, ground_code=ground)
                elif rules_of(key) in COMPLAINTS and self.rng.random() < P_COMPLAINT:
                    self.order_rectification(plan, life, key, day, document)
                    life.listings[key] = Listing("warned", listing.since, day)
                elif WARNINGS[rules_of(key)] and (missed or self.rng.random() < P_ECO_WARN):
                    ground = (
                        "report_missing" if missed else self.rng.choice(WARNINGS[rules_of(key)])
                    )
                    self.act(
                        plan,
                        "warn",
                        day,
                        document,
                        unit=life.ref,
                        programme=key[0],
                        jurisdiction=key[1],
                        ground=ground,
                        rectify_by=day + RECTIFY_WITHIN,
                    )
                    life.listings[key] = Listing("warned", listing.since, day)
                elif self.rng.random() < P_REMOVE:
                    ground = self.rng.choice(REMOVALS[rules_of(key)])
                    if key[0] in GM and self.rng.random() < P_MAJOR_ACCIDENT:
                        ground = "accident" if key[1] == CHONGQING else "major_accident"
                    self.remove(plan, life, key, day, document, ground_code=ground)

    def order_rectification(
        self, plan: Plan, life: Life, key: tuple[str, str], day: date, document: str
    ) -> None:
        """A named public complaint about the listing, received and verified by the list's
        authority (the city, or the province): a rectification order (003 art. 25)."""
        complaint = self.act(
            plan,
            "record_complaint",
            day,
            document,
            unit=life.ref,
            programme=key[0],
            jurisdiction=key[1],
            matter="名单信息与实际不符",
        )
        self.act(
            plan,
            "decide_complaint",
            day,
            document,
            unit=life.ref,
            complaint=complaint,
            outcome="rectification",
            rectify_by=day + RECTIFY_WITHIN,
            removal=None,
        )

    def slot_lift(self, authority: str, day: date, year: int) -> None:
        """Units warned or ordered to rectify at this year's review that rectified in time: the
        warning or order is lifted."""
        plan = self.plan(day, "lift", authority, f"{authority} rectification accepted {year}")
        document = self.document(authority, year)
        review_day = day - LIFT_AFTER
        for life in self.by_authority.get(authority, []):
            for key in self.keys_of(life, authority):
                listing = life.listings.get(key)
                if (
                    listing is not None
                    and listing.status == "warned"
                    and listing.changed_on == review_day
                    and self.rng.random() < P_LIFT
                ):
                    self.act(
                        plan,
                        "lift_warning",
                        day,
                        document,
                        unit=life.ref,
                        programme=key[0],
                        jurisdiction=key[1],
                    )
                    life.listings[key] = Listing("listed", listing.since, day)

    def missed(self, life: Life, key: tuple[str, str]) -> bool:
        if key[0] == ECO:
            return "eco" in life.missing
        if key[1] == CHONGQING:
            return "cq" in life.missing
        return key[0] in GM and "form" in life.missing

    def remove(
        self,
        plan: Plan,
        life: Life,
        key: tuple[str, str],
        day: date,
        document: str,
        *,
        ground_code: str,
    ) -> None:
        self.act(
            plan,
            "remove",
            day,
            document,
            unit=life.ref,
            programme=key[0],
            jurisdiction=key[1],
            ground=ground_code,
        )
        # The corpus adopts every rulebook for all its years: the list's own rulebook judges it.
        ground = next(book for book in RULEBOOKS if book.governs(*key)).ground(ground_code)
        # A removal ends only the list named (its owner's); a removal from any green-manufacturing
        # list keeps the province's lists closed for three years (003 art. 17(3)).
        life.listings[key] = Listing("removed", life.listings[key].since, day)
        years = max(ground.ban_years, 3 if key[0] in GM else 0)
        if years:
            life.banned_until = max(life.banned_until, period_end(day, years=years))

    def slot_designate(self, authority: str, day: date, year: int) -> None:
        """The yearly list: new units, units climbing a level, units back after a ban."""
        plan = self.plan(day, "designate", authority, f"{authority} designations {year}")
        document = self.document(authority, year)
        batch = f"第{year - self.first_year + 1}批" if authority == "miit" else f"{year}年度"
        for life in self.by_authority.get(authority, []):
            if life.entry_year > year or life.banned_until >= day:
                continue
            ladder = life.placement.ladder
            for level, rung in enumerate(ladder):
                if rung.authority != authority:
                    continue
                key = (rung.programme, rung.jurisdiction)
                if life.in_force(key):
                    continue
                if not self.chance(life, level, key, day, year):
                    continue
                if not life.registered:
                    self.register(plan, life)
                if level and self.provincial(rung) and self.rng.random() < P_DISQUALIFY:
                    self.act(
                        plan,
                        "disqualify",
                        day,
                        document,
                        unit=life.ref,
                        programme=rung.programme,
                        jurisdiction=rung.jurisdiction,
                        ground="fraud",
                    )
                    life.banned_until = max(life.banned_until, period_end(day, years=3))
                    break
                grade = self.rng.choice("AABBBC") if self.provincial(rung) else None
                self.act(
                    plan,
                    "designate",
                    day,
                    document,
                    unit=life.ref,
                    programme=rung.programme,
                    jurisdiction=rung.jurisdiction,
                    batch=batch,
                    grade=grade,
                )
                life.listings[key] = Listing("listed", day, day)

    @staticmethod
    def provincial(rung: Rung) -> bool:
        """Lists under the provincial three-level rules (003), which grade and disqualify."""
        return rung.jurisdiction not in (NATIONAL, CHONGQING) and rung.programme in GM

    def chance(
        self,
        life: Life,
        level: int,
        key: tuple[str, str],
        day: date,
        year: int,
    ) -> bool:
        """Whether the unit is listed on rung ``level`` this year."""
        ladder = life.placement.ladder
        previous = life.listings.get(key)
        if previous is not None and previous.changed_on >= day:
            return False  # relisting takes effect after the removal (never on its day)
        if level == 0:
            if not life.registered:
                return life.entry_year == year
            return previous is not None and self.rng.random() < P_REAPPLY
        below = life.listings.get((ladder[level - 1].programme, ladder[level - 1].jurisdiction))
        if below is None or below.status == "removed" or below.since > day - timedelta(days=300):
            return False
        return self.rng.random() < (P_REAPPLY if previous is not None else P_CLIMB)

    # --- eco-industrial parks --------------------------------------------------------------

    def slot_approve(self, authority: str, day: date, year: int) -> None:
        """The province approves parks to create (004 art. 12): new ones, and parks whose
        creation lapsed or whose title was revoked and whose ban is over."""
        plan = self.plan(day, "approve", authority, f"{authority} creation approvals {year}")
        document = self.document(authority, year)
        province = BY_CODE[authority].jurisdiction
        for life in self.by_authority.get(authority, []):
            if life.entry_year > year or life.banned_until >= day or life.in_force((ECO, NATIONAL)):
                continue
            if life.creation is not None and day <= life.creation.ends_on:
                continue
            if life.registered and self.rng.random() >= P_REAPPLY:
                continue
            if not life.registered:
                if life.entry_year != year:
                    continue
                self.register(plan, life)
            self.act(
                plan,
                "approve_creation",
                day,
                document,
                unit=life.ref,
                programme=ECO,
                jurisdiction=province,
            )
            life.creation = Creation(day, period_end(day, years=3), province)

    def slot_name(self, authority: str, day: date, year: int) -> None:
        """The coordination mechanism names parks two to three years into creation (004 art.
        21); the province extends, once, the creation of some parks that would lapse."""
        plan = self.plan(day, "name", authority, f"eco-industrial parks named {year}")
        document = self.document(authority, year)
        for life in self.by_authority.get(authority, []):
            creation = life.creation
            if creation is None or life.banned_until >= day:
                continue
            earliest = period_end(creation.approved_on, years=2)
            if not earliest <= day <= creation.ends_on:
                continue
            if self.rng.random() < (0.9 if creation.extended else P_NAME_AT_TWO):
                self.act(
                    plan,
                    "name_park",
                    day,
                    document,
                    unit=life.ref,
                    programme=ECO,
                    jurisdiction=NATIONAL,
                    batch=f"{year}年",
                    grade=None,
                )
                life.listings[(ECO, NATIONAL)] = Listing("listed", day, day)
                life.creation = None
                continue
            next_naming = slot_day(self.seed, authority, "name", year + 1)
            extend_on = day + EXTENSION_AFTER_NAMING
            if (
                not creation.extended
                and creation.ends_on < next_naming
                and extend_on <= creation.ends_on
                and self.rng.random() < P_EXTEND
            ):
                eco = life.placement.eco
                assert eco is not None
                extension = self.plan(extend_on, "extend", eco, f"{eco} creation extensions")
                extended_to = period_end(creation.ends_on, years=1)
                self.act(
                    extension,
                    "extend_creation",
                    extend_on,
                    self.document(eco, year),
                    unit=life.ref,
                    programme=ECO,
                    jurisdiction=creation.jurisdiction,
                    extended_to=extended_to,
                )
                life.creation = Creation(
                    creation.approved_on, extended_to, creation.jurisdiction, extended=True
                )


def rules_of(key: tuple[str, str]) -> str:
    """Which policy text governs a list: national (000), chongqing (001), zhejiang (002),
    provincial (003) or eco (004)."""
    programme, jurisdiction = key
    if programme == ECO:
        return "eco"
    if programme == "zj_low_carbon_park":
        return "zhejiang"
    if jurisdiction == NATIONAL:
        return "national"
    return "chongqing" if jurisdiction == CHONGQING else "provincial"


WARNINGS: dict[str, tuple[str, ...]] = {
    "national": (),  # no national warning in the texts the registry holds
    "provincial": (),  # 003 has none: a verified complaint's rectification order instead
    "chongqing": (),  # 001 has no warnings
    "eco": ("negative_publicity", "infrastructure", "performance_failed", "other"),
    "zhejiang": (),  # 002 has no warnings
}
COMPLAINTS = ("provincial",)  # rules with a complaint's rectification order (003 art. 25)
REMOVALS = {
    "national": ("dynamic_adjustment", "dynamic_adjustment", "fraud"),
    "provincial": (
        "not_operating",
        "accident_or_violation",
        "inspection_findings",
        "energy_inspection",
        "dishonest_debtor",
        "fraud",
    ),
    "chongqing": (
        "failed_review",
        "terminated",
        "false_materials",
        "blacklisted",
        "other_violation",
    ),
    "eco": (
        "serious_pollution",
        "central_inspection",
        "falsified_data",
        "no_management_body",
        "withdrawn_on_request",
        "other",
    ),
    "zhejiang": (
        "no_longer_qualifies",
        "no_longer_qualifies",
        "fraud",
        "concealed_accident",
        "pollution",
    ),
}
UNRECTIFIED = {
    "national": "dynamic_adjustment",
    "provincial": "inspection_findings",
    "chongqing": "failed_review",
    "eco": "rectification_failed",
    "zhejiang": "no_longer_qualifies",
}


def plans(seed: int, units: int, first_year: int, years: int) -> Iterator[list[Plan]]:
    """Each year's announcements, year after year."""
    simulation = Simulation(seed, units, first_year, years)
    for year in range(first_year, first_year + years):
        yield simulation.year(year)
