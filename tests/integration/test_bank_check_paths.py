"""The set-based bank check (``greenreg.projections.bank_check``) answers exactly what the
object path it replaced answers (``object_bank_check``, kept for this comparison only: delete
both together), on both databases, for every outcome: certified, warned (rectification),
suspended, certified with a title restricted, removed (and superseded in a merger, the
successor carrying on), banned, not listed, renamed, not found, invalid code, a day before the
designation, a time before the recording, a code attached after the unit was registered; every
written form of a reference; then on a generated corpus of ten years of lives. A selection of
fields gives those fields of the same answers."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any, get_args
from uuid import UUID

import pytest
from bench.corpus import populate
from fastapi.testclient import TestClient
from stdnum.cn import uscc

from greenreg.bootstrap import open_greenreg
from greenreg.graphql.bank_check import ENUM_NAMES
from greenreg.projections.coverage import COVERAGE, coverage
from greenreg.projections.database import QueryError
from greenreg.projections.queries import Queries
from greenreg.projections.selection import FIELDS, Field, check_fields, whole
from greenreg.projections.views import Outcome
from greenreg.receipts import json_value
from tests.e2e.support import BYSTANDER_CODE, FACTORY_CODE, UNKNOWN_CODE, refusal_of
from tests.integration.object_bank_check import certifications as object_path
from tests.integration.test_identifiers import PARK_CODE, attach
from tests.support import Reads, World, d, designate

OUTCOMES = set(get_args(Outcome))  # every answer the check can give
TWO_LISTS_CODE = "91320505MA1K3BTP27"  # another Suzhou enterprise (check character fixed below)


def compare(queries: Queries, refs: list[str], days: list[str], times: list[Any]) -> set[str]:
    """Every answer of both paths, for each day and time: the outcomes met."""
    met: set[str] = set()
    for day in days:
        for known_at in times:
            old = [json_value(v) for v in object_path(queries.store, refs, d(day), known_at)]
            new = queries.check(refs, d(day), known_at).answers()
            for ref, before, after in zip(refs, old, new, strict=True):
                assert after == before, (ref, day, known_at)
            met.update(answer["outcome"] for answer in new)
    return met


def spellings(unit: UUID, code: str | None) -> list[str]:
    """The ways a bank may write a reference to the unit."""
    forms = [str(unit), str(unit).upper(), f"{{{unit}}}", unit.urn, unit.hex]
    if code:
        forms += [code, code.lower(), f" {code} ", f"{code[:6]}-{code[6:]}"]
        forms.append(code.translate({ord(c): ord(c) + 0xFEE0 for c in code}))  # full width
    return forms


def lives(world: World) -> tuple[list[str], list[datetime]]:
    """Units with every outcome, recorded a day apart: their references and record times."""
    moments: list[datetime] = []

    def step() -> None:
        moments.append(world.clock.now)
        world.clock.advance(days=1)

    def submit(issuer: str, act: str, **fields: Any) -> UUID:
        subject = world.submit(issuer, act, **fields).subject_id
        step()
        return subject

    province = {"programme": "green_factory", "jurisdiction": "320000"}
    # renamed park, listed since 2020
    park = world.register("js-eit", "苏州工业园区", "320500")
    step()
    submit("js-eit", "designate", unit=str(park), effective_date="2020-01-01",
           programme="green_park", jurisdiction="320000", batch="第一批", grade=None)  # fmt: skip
    submit("js-eit", "rename", unit=str(park), effective_date="2022-06-01",
           new_name="苏州工业园区绿色发展区", reported_on="2022-06-10")  # fmt: skip
    # listed, ordered to rectify, removed for fraud: barred for three years
    factory = world.register("js-eit", "苏州某制造公司", "320505", kind="enterprise",
                             credit_code=FACTORY_CODE, effective_date="2018-05-02")  # fmt: skip
    step()
    submit("js-eit", "designate", unit=FACTORY_CODE, effective_date="2019-10-15", **province)
    complaint = world.submit("sz-eit", "record_complaint", unit=FACTORY_CODE,
                             effective_date="2024-08-20", matter="能耗数据与实际不符",
                             **province).act_id  # fmt: skip
    step()
    submit("sz-eit", "decide_complaint", unit=FACTORY_CODE, effective_date="2024-09-01",
           complaint=str(complaint), outcome="rectification", rectify_by="2025-03-01",
           removal=None)  # fmt: skip
    submit("js-eit", "remove", unit=FACTORY_CODE, effective_date="2025-05-10", ground="fraud",
           **province)  # fmt: skip
    # on two lists, one of them under a rectification order: certified, one title restricted
    code = TWO_LISTS_CODE[:17] + _check_character(TWO_LISTS_CODE[:17])
    both = world.register("sz-eit", "苏州双榜公司", "320505", kind="enterprise",
                          credit_code=code)  # fmt: skip
    step()
    submit("js-eit", "designate", unit=code, effective_date="2021-03-01", **province)
    submit("sz-eit", "designate", unit=code, effective_date="2021-04-01",
           programme="green_factory", jurisdiction="320500")  # fmt: skip
    complaint = world.submit("sz-eit", "record_complaint", unit=code,
                             effective_date="2024-08-20", matter="排放超标",
                             **province).act_id  # fmt: skip
    step()
    submit("sz-eit", "decide_complaint", unit=code, effective_date="2024-09-01",
           complaint=str(complaint), outcome="rectification", rectify_by="2025-03-01",
           removal=None)  # fmt: skip
    # an eco-park under an exit warning (suspended), then merged into another: superseded
    eco = str(world.register("js-eco", "昆山开发区", "320583", effective_date="2012-03-01"))
    successor = str(world.register("js-eco", "昆山新区", "320583", effective_date="2012-03-01"))
    step()
    submit("js-eco", "approve_creation", effective_date="2014-05-20", unit=eco,
           programme="eco_park", jurisdiction="320000")  # fmt: skip
    submit("eco-cm", "name_park", effective_date="2016-11-30", unit=eco,
           programme="eco_park", jurisdiction="CN")  # fmt: skip
    submit("eco-cm", "warn", effective_date="2024-10-08", unit=eco, programme="eco_park",
           jurisdiction="CN", ground="performance_failed", rectify_by="2025-10-08")  # fmt: skip
    submit("js-eco", "reorganise", effective_date="2025-01-01", reorganisation="merger",
           predecessors=[eco], successors=[successor], reported_on="2025-01-10")  # fmt: skip
    # a park known by name whose code is attached later
    named = world.register("js-eit", "苏州某园区", "320505")
    step()
    submit("js-eit", "designate", unit=str(named), effective_date="2020-01-01",
           programme="green_park", jurisdiction="320000", batch="第一批", grade=None)  # fmt: skip
    attach(world, named, PARK_CODE)
    step()
    bystander = world.register("miit", "兴安盟某制造有限公司", "152201", kind="enterprise",
                               credit_code=BYSTANDER_CODE, effective_date="2017-03-01")  # fmt: skip
    step()
    refs = [
        *spellings(park, None),
        *spellings(factory, FACTORY_CODE),
        *spellings(both, code),
        *spellings(UUID(eco), None),
        *spellings(UUID(successor), None),
        *spellings(named, PARK_CODE),
        *spellings(bystander, BYSTANDER_CODE),
        UNKNOWN_CODE,
        str(UUID(int=7)),
        "bad",
        FACTORY_CODE[:-1] + "X",
        "",
        "   ",
    ]
    return refs, moments


def _check_character(body: str) -> str:
    return str(uscc.calc_check_digit(body))


DAYS = [
    "2013-01-01", "2017-06-01", "2019-10-14", "2019-10-15", "2020-06-01", "2021-03-15",
    "2022-06-01", "2024-09-01", "2024-10-08", "2024-12-31", "2025-01-01", "2025-05-10",
    "2026-12-01", "2028-05-10", "2028-05-11", "2030-01-01",
]  # fmt: skip


def test_every_answer_is_the_object_paths(world: World, reads: Reads) -> None:
    refs, moments = lives(world)
    queries = reads()
    times: list[Any] = [None, *(m - timedelta(seconds=1) for m in moments[::2]), moments[-1]]
    met = compare(queries, refs, DAYS, times)
    assert met == OUTCOMES
    assert queries.check([], d("2024-09-01")).answers() == []  # no reference, no answer
    # and for a selection of fields, those fields of the same answers
    whole_answers = queries.check(refs, d("2024-09-01")).answers()
    for chosen in (["ref", "outcome"], ["message", "evidence", "ref"], ["restricted", "bans"]):
        picked = queries.check(refs, d("2024-09-01")).answers(whole(chosen))
        assert picked == [{k: a[k] for k in chosen} for a in whole_answers]
        assert [list(p) for p in picked] == [chosen] * len(refs)


def test_a_not_found_says_what_the_registry_covers_as_it_grows(world: World, reads: Reads) -> None:
    """What the registry covers is read once and kept for the checks that follow, until the
    read models fold another event."""
    # nothing designated yet: not found here says nothing
    for _ in range(2):
        [answer] = reads().check([UNKNOWN_CODE], d("2024-09-01")).answers()
        assert answer["outcome"] == "not_found"
        assert "The registry holds no list yet" in answer["message"]
    # a park put on the Jiangsu list of green parks: the next check says so
    park = world.register("js-eit", "苏州工业园区", "320500")
    designate(world, "js-eit", park, "green_park@320000", "2020-01-01")
    [answer] = reads().check([UNKNOWN_CODE], d("2024-09-01")).answers()
    covered = "The registry covers only: the provincial green park list of 江苏省 (2020"
    assert covered in answer["message"]


def test_graphql_spelling_names_the_enums(world: World, reads: Reads) -> None:
    refs, _ = lives(world)
    queries = reads()
    plain = queries.check(refs, d("2024-10-08")).answers()
    spelled = queries.check(refs, d("2024-10-08")).answers(whole(), ENUM_NAMES)
    for answer, named in zip(plain, spelled, strict=True):
        assert named["outcome"] == answer["outcome"].upper()
        for key in ("designations", "restricted", "bans"):
            for part, named_part in zip(answer[key], named[key], strict=True):
                assert named_part["programme"] == part["programme"].upper()
                assert named_part["level"] == part["level"].upper()
                if key != "bans":
                    assert named_part["status"] == part["status"].upper()


def test_a_generated_corpus_answers_as_the_object_path(database_url: str) -> None:
    stats = populate(database_url, events=1_500, seed=31)
    greenreg = open_greenreg(database_url)
    try:
        refs = [*stats.unit_refs, UNKNOWN_CODE, "bad"]
        middle = (
            datetime.fromisoformat(stats.first_recorded)
            + (
                datetime.fromisoformat(stats.last_recorded)
                - datetime.fromisoformat(stats.first_recorded)
            )
            / 2
        )
        days = ["2016-06-30", "2019-06-30", "2021-12-31", "2023-06-30", "2025-06-30", "2026-12-31"]
        met = compare(greenreg.queries, refs, days, [None, middle])
        assert {"certified", "removed", "banned", "warned", "not_listed"} <= met
        # what the registry covers, from the index of the designations by list and day
        store = greenreg.queries.store
        lists = [
            (c.programme, c.level, c.jurisdiction, c.first_year, c.last_year, c.units)
            for c in coverage(store).lists
        ]
        assert len(lists) > 5
        assert lists == [
            (p, lv, j, int(first[:4]), int(last[:4]), units)
            for p, lv, j, first, last, units in store.query(
                "SELECT programme, level, jurisdiction, MIN(since), MAX(since), "
                "COUNT(DISTINCT unit_id) FROM rm_designations "
                "GROUP BY programme, level, jurisdiction ORDER BY programme, level, jurisdiction"
            )
        ]
        if store.dialect == "sqlite":
            plan = store.query(f"EXPLAIN QUERY PLAN {COVERAGE}")
            assert [row[-1] for row in plan] == [
                "SCAN rm_designations USING COVERING INDEX rm_designations_3"
            ]
    finally:
        greenreg.close()


def test_unknown_fields_are_refused_naming_the_fields(client: TestClient) -> None:
    response = client.post(
        "/api/v1/certifications?fields=ref,colour,outcome", json={"refs": [FACTORY_CODE]}
    )
    status, _, message = refusal_of(response)
    assert status == 422
    assert "'colour'" in message
    assert all(name in message for name in FIELDS)
    chosen = client.post("/api/v1/certifications?fields=outcome,ref", json={"refs": ["bad"]})
    assert chosen.status_code == 200, chosen.text
    assert chosen.json()["results"] == [{"outcome": "invalid_code", "ref": "bad"}]


@pytest.mark.parametrize("fields", [",", " , ", ",,"])
def test_a_selection_naming_no_field_is_refused_naming_the_fields(
    client: TestClient, fields: str
) -> None:
    response = client.post("/api/v1/certifications", params={"fields": fields},
                           json={"refs": [FACTORY_CODE]})  # fmt: skip
    status, _, message = refusal_of(response)
    assert status == 422
    assert message.startswith(f"fields={fields!r} names no field"), message
    assert all(name in message for name in FIELDS)


@pytest.mark.parametrize("fields", ["", " ", "+"])
def test_a_blank_selection_is_every_field(client: TestClient, fields: str) -> None:
    every = client.post("/api/v1/certifications", json={"refs": [FACTORY_CODE]}).json()
    url = f"/api/v1/certifications?fields={fields}"  # "+" is a space, as a form writes it
    blank = client.post(url, json={"refs": [FACTORY_CODE]})
    assert blank.status_code == 200, blank.text
    assert blank.json()["results"] == every["results"]
    assert list(every["results"][0]) == list(FIELDS)


def test_a_key_that_is_not_a_name_is_refused() -> None:
    # keys are written into the statement: only GraphQL names are accepted
    with pytest.raises(QueryError, match="not a name"):
        check_fields((Field("ref' || x || '", "ref"),))
    with pytest.raises(QueryError, match="no field 'colour'"):
        check_fields((Field("colour", "colour"),))
