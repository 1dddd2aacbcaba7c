"""The root ``Query``: each resolver parses its arguments, checks limits, asks
:class:`~greenreg.projections.queries.Queries` (off the event loop) and maps the answer."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, cast
from uuid import UUID

import strawberry
from starlette.concurrency import run_in_threadpool

from greenreg.errors import NotFoundError
from greenreg.graphql.bank_check import CheckAnswers
from greenreg.graphql.context import GreenregInfo
from greenreg.graphql.ids import parse_global_id
from greenreg.graphql.limits import (
    MAX_PAGE,
    MAX_SEARCH,
    Refusal,
    check_access,
    check_batch_size,
    check_page_size,
)
from greenreg.graphql.types.certifications import Certification, CertificationCheck
from greenreg.graphql.types.enums import Level, Programme, Status, UnitKind
from greenreg.graphql.types.evaluators import EvaluatorRecord
from greenreg.graphql.types.lists import Ban, History, Rule
from greenreg.graphql.types.log import Checkpoint, ConsistencyProof, InclusionProof, Receipt
from greenreg.graphql.types.match import MatchAnswer, MatchQueryInput, MatchResult
from greenreg.graphql.types.mirror import mirrors
from greenreg.graphql.types.units import (
    DesignationConnection,
    Node,
    SearchHit,
    Unit,
    UnitConnection,
)
from greenreg.graphql.types.versions import DataVersion
from greenreg.matching.answers import MatchQuery
from greenreg.matching.score import DEFAULT_THRESHOLD
from greenreg.projections.matching import MAX_QUERIES
from greenreg.projections.reading import today
from greenreg.projections.views import UnitFilter
from greenreg.receipts import receipt_at
from greenreg.storage.queries import TransparencyLog, parse_event_id
from greenreg.subscribers.access import bulk_check_refused, key_required


@strawberry.input(description="Which units to list; a missing field means any.")
class UnitFilterInput:
    kind: UnitKind | None = None
    province: str | None = strawberry.field(default=None, description="GB/T 2260, xx0000.")
    programme: Programme | None = None
    level: Level | None = None
    jurisdiction: str | None = None
    status: Status | None = None

    def to_filter(self) -> UnitFilter:
        return UnitFilter(
            kind=self.kind.value if self.kind else None,
            province=self.province,
            programme=self.programme.value if self.programme else None,
            level=self.level.value if self.level else None,
            jurisdiction=self.jurisdiction,
            status=self.status.value if self.status else None,
        )


async def unit_id_of(info: GreenregInfo, reference: str) -> UUID | None:
    """A unit's id from its UUID, its global id or its credit code."""
    try:
        return UUID(reference)
    except ValueError:
        pass
    if len(reference) == 18 or not reference.isascii():
        return await info.context.ask(info.context.queries.unit_id_for_credit_code, reference)
    type_name, local_id = parse_global_id(reference)
    if type_name != "Unit":
        raise Refusal("BAD_USER_INPUT", f"{reference!r} is the id of a {type_name}, not a unit")
    return local_id


async def unit_by_id(info: GreenregInfo, unit_id: UUID | None) -> Unit | None:
    if unit_id is None:
        return None
    await info.context.version()
    view = await info.context.loaders.units.load(unit_id)
    return None if view is None else Unit(view=view)


def the_log(info: GreenregInfo) -> TransparencyLog:
    if info.context.log is None:
        raise NotFoundError("this event store keeps no transparency log")
    return info.context.log


@strawberry.type
class Query:
    @strawberry.field(description="A unit by its id (UUID), global id or credit code.")
    async def unit(self, info: GreenregInfo, id: strawberry.ID) -> Unit | None:
        return await unit_by_id(info, await unit_id_of(info, str(id)))

    @strawberry.field(description="Any object by its global id.")
    async def node(self, info: GreenregInfo, id: strawberry.ID) -> Node | None:
        type_name, local_id = parse_global_id(str(id))
        if type_name != "Unit":
            return None
        return await unit_by_id(info, local_id)

    @strawberry.field(description=f"Units, a page at a time (first ≤ {MAX_PAGE}), by id.")
    async def units(
        self,
        info: GreenregInfo,
        filter: UnitFilterInput | None = None,
        first: int = 20,
        after: str | None = None,
    ) -> UnitConnection:
        check_page_size(first)
        where = filter.to_filter() if filter else None
        page = await info.context.ask(info.context.queries.units, where, first, after)
        info.context.loaders.units.prime_many({v.id: v for v in page.items})
        return UnitConnection.of(page)

    @strawberry.field(
        description=f"Units whose name, former name or credit code matches (≤ {MAX_SEARCH})."
    )
    async def search(self, info: GreenregInfo, text: str, first: int = 20) -> list[SearchHit]:
        check_page_size(first, MAX_SEARCH)
        if not text.strip():
            raise Refusal("BAD_USER_INPUT", "give a name, a former name or a credit code")
        hits = await info.context.ask(info.context.queries.lookup, text, first)
        return [SearchHit.of(hit) for hit in hits]

    @strawberry.field(
        description="A list (programme × level × jurisdiction) with each unit's status, now or "
        "as of a day (valid time) as known at a time (record time)."
    )
    async def designations(  # noqa: PLR0917 (GraphQL arguments)
        self,
        info: GreenregInfo,
        programme: Programme | None = None,
        level: Level | None = None,
        jurisdiction: str | None = None,
        status: Status | None = None,
        as_of: date | None = None,
        known_at: datetime | None = None,
        first: int = 20,
        after: str | None = None,
    ) -> DesignationConnection:
        check_page_size(first)
        page = await info.context.ask(
            info.context.queries.designations,
            programme=programme.value if programme else None,
            level=level.value if level else None,
            jurisdiction=jurisdiction,
            status=status.value if status else None,
            as_of=as_of,
            known_at=known_at,
            first=first,
            after=after,
        )
        return DesignationConnection.of(page)

    @strawberry.field(description="Reapplication bans running on a day (both ends included).")
    async def bans(
        self,
        info: GreenregInfo,
        active_on: date | None = None,
        unit_id: strawberry.ID | None = None,
    ) -> list[Ban]:
        unit = None if unit_id is None else await unit_id_of(info, str(unit_id))
        if unit_id is not None and unit is None:
            return []
        views = await info.context.ask(info.context.queries.bans, active_on, unit)
        return mirrors(Ban, views)

    @strawberry.field(
        description="Which rulebook governs which lists, from when: the root's signed "
        "adoptions of rulebooks, in the order they were recorded."
    )
    async def rules(self, info: GreenregInfo) -> list[Rule]:
        views = await info.context.ask(info.context.queries.rules)
        return mirrors(Rule, views)

    @strawberry.field(
        description="A third-party evaluator by its id (UUID) or credit code: its sanctions, "
        "the designations naming it, and its legal representative's yearly evaluations against "
        "the cap of 003 art. 24."
    )
    async def evaluator(self, info: GreenregInfo, ref: str) -> EvaluatorRecord | None:
        view = await info.context.ask(info.context.queries.evaluator, ref)
        return None if view is None else EvaluatorRecord(view=view)

    @strawberry.field(description="A unit's whole timeline, oldest first.")
    async def history(self, info: GreenregInfo, unit_id: strawberry.ID) -> History | None:
        unit = await unit_id_of(info, str(unit_id))
        if unit is None:
            return None
        view = await info.context.ask(info.context.queries.history, unit)
        return None if view is None else History.of(view)

    @strawberry.field(
        description="The latest signed checkpoint of the transparency log: the one this "
        "response's answers were given at (null before the first write)."
    )
    async def checkpoint(self, info: GreenregInfo) -> Checkpoint | None:
        version = await info.context.version()
        if version.checkpoint is None:
            return None
        return Checkpoint.of(version.checkpoint, version)

    @strawberry.field(
        description="Proof that an event ('{aggregate uuid}/{version}') is a leaf of the "
        "signed tree of treeSize leaves (default: the latest checkpoint)."
    )
    async def inclusion_proof(
        self, info: GreenregInfo, event_id: str, tree_size: int | None = None
    ) -> InclusionProof | None:
        log = the_log(info)
        originator_id, version_number = parse_event_id(event_id)
        proof = await info.context.ask(log.inclusion, originator_id, version_number, tree_size)
        return InclusionProof.of(proof, await info.context.version())

    @strawberry.field(
        description="Proof that the signed tree of `first` leaves is a prefix of the signed "
        "tree of `second` leaves (default: the latest checkpoint)."
    )
    async def consistency_proof(
        self, info: GreenregInfo, first: int, second: int | None = None
    ) -> ConsistencyProof | None:
        proof = await info.context.ask(the_log(info).consistency, first, second)
        return ConsistencyProof.of(proof, await info.context.version())

    @strawberry.field(
        description="The bank check: for each credit code or unit id, was the unit certified "
        "on asOf (default: today in China) as the registry knew it at knownAt (default: now)? "
        "One result per reference, in input order; an invalid code fails its row only."
    )
    async def certifications(
        self,
        info: GreenregInfo,
        refs: list[str],
        as_of: date | None = None,
        known_at: datetime | None = None,
        receipt: Annotated[
            bool,
            strawberry.argument(
                description="true: also sign the question and the answer (receipt) at the "
                "checkpoint the answer was given at."
            ),
        ] = False,
    ) -> CertificationCheck:
        check_batch_size(len(refs))
        check_access(bulk_check_refused(info.context.caller(), len(refs)))
        day = as_of or today()
        check = await info.context.ask(info.context.queries.check, refs, day, known_at)
        version = await info.context.version()
        signed = None
        if receipt:
            log = info.context.log
            results = await info.context.ask(check.answers)
            answer = {"results": results, "data_version": version.as_json()}
            text = await run_in_threadpool(
                lambda: receipt_at(
                    log,
                    version.checkpoint,
                    kind="certification_check",
                    question={"refs": refs, "as_of": day, "known_at": known_at},
                    answer=answer,
                    issued_at=info.context.clock(),
                    as_of=day,
                    known_at=known_at,
                )
            )
            signed = Receipt.of(text)
        return CertificationCheck(
            as_of=day,
            known_at=known_at,
            data_version=DataVersion.of(version),
            # answered by the execution for the selection (greenreg.graphql.bank_check)
            results=cast("list[Certification]", CheckAnswers(check)),
            receipt=signed,
        )

    @strawberry.field(
        description="The bulk match: for each borrower (a name, a credit code or both, narrowed "
        "by region, kind and programme), the ranked candidates with a score in [0, 1], what "
        "matched and why, match at or above threshold, and each candidate's certification on "
        "asOf as known at knownAt. One result per query, in input order; a query without a "
        "name or code fails its row only. Scores: docs/matching.md."
    )
    async def match(  # noqa: PLR0917 (strawberry passes arguments by keyword)
        self,
        info: GreenregInfo,
        queries: list[MatchQueryInput],
        threshold: float = DEFAULT_THRESHOLD,
        limit: int = 3,
        as_of: date | None = None,
        known_at: datetime | None = None,
        receipt: Annotated[
            bool,
            strawberry.argument(
                description="true: also sign the question and the answer (receipt) at the "
                "checkpoint the answer was given at."
            ),
        ] = False,
    ) -> MatchAnswer:
        if len(queries) > MAX_QUERIES:
            raise Refusal(
                "BATCH_TOO_LARGE",
                f"a match takes at most {MAX_QUERIES:,} queries, not {len(queries):,}; split "
                "it into several requests",
            )
        check_access(key_required(info.context.caller(), "matching by name"))
        day = as_of or today()
        asked = [MatchQuery(q.name, q.credit_code, q.region, q.kind, q.programme) for q in queries]
        views = await info.context.ask(
            info.context.queries.match,
            asked,
            threshold=threshold,
            limit=limit,
            as_of=day,
            known_at=known_at,
        )
        version = await info.context.version()
        signed = None
        if receipt:
            log = info.context.log
            text = await run_in_threadpool(
                lambda: receipt_at(
                    log,
                    version.checkpoint,
                    kind="match",
                    question={
                        "queries": asked,
                        "threshold": threshold,
                        "limit": limit,
                        "as_of": day,
                        "known_at": known_at,
                    },
                    answer={"results": views, "data_version": version.as_json()},
                    issued_at=info.context.clock(),
                    as_of=day,
                    known_at=known_at,
                )
            )
            signed = Receipt.of(text)
        return MatchAnswer(
            as_of=day,
            known_at=known_at,
            threshold=threshold,
            data_version=DataVersion.of(version),
            results=mirrors(MatchResult, views),
            receipt=signed,
        )
