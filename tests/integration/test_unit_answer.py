"""A unit's answer written by the database in one statement (``Queries.unit_answer``, what
``GET /api/v1/units/{ref}`` answers) equals the views' answer as plain values, on SQLite and
PostgreSQL: for units of every kind (renamed, removed and banned, warned, suspended then merged
into a successor, a code attached later, evaluated by a third party, under removals due after
an accident, never listed) and for every unit of a generated corpus. Over HTTP the answer is
the same, and it follows a write."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from bench.corpus import populate
from stdnum.cn import uscc

from greenreg.api.encoding import plain
from greenreg.bootstrap import open_greenreg
from greenreg.projections.queries import Queries
from tests.e2e.support import api_client, facade_of
from tests.integration.test_bank_check_paths import TWO_LISTS_CODE, lives
from tests.integration.test_law_evaluator_reads import credit_code
from tests.support import Reads, World

EVALUATOR_CODE = credit_code("320505", "EAC01")


def views(queries: Queries, unit_id: UUID) -> dict[str, Any] | None:
    """The answer as the route built it before: views, copied into plain values."""
    unit = queries.unit(unit_id)
    if unit is None:
        return None
    return {
        "unit": plain(unit),
        "designations": plain(queries.designations_of([unit_id])[0]),
        "bans": plain(queries.bans(None, unit_id)),
        "removals_due": plain(queries.removals_due(unit_id)),
    }


def every_unit(queries: Queries) -> list[UUID]:
    return [UUID(row[0]) for row in queries.store.query("SELECT unit_id FROM rm_units")]


def evaluated_and_in_trouble(world: World) -> None:
    """An evaluator names a designation; a major accident makes removals due."""
    code = EVALUATOR_CODE
    world.submit(
        "js-eit",
        "register_evaluator",
        effective_date="2024-07-01",
        name="苏州评价机构",
        credit_code=code,
        legal_representative="王某",
    )
    unit = world.register("js-eit", "苏州被评价公司", "320505", kind="enterprise")
    world.submit(
        "js-eit",
        "designate",
        unit=str(unit),
        effective_date="2024-09-10",
        programme="green_supply_chain",
        jurisdiction="320000",
        batch="2024年度",
        evaluator=code,
    )
    both = TWO_LISTS_CODE[:17] + uscc.calc_check_digit(TWO_LISTS_CODE[:17])
    world.submit(
        "sz-eit",
        "record_incident",
        effective_date="2025-03-10",
        document="苏应急〔2025〕12号",
        unit=both,
        incident="major_safety_accident",
    )


def test_every_kind_of_unit_is_answered_as_the_views_answer(world: World, reads: Reads) -> None:
    lives(world)
    evaluated_and_in_trouble(world)
    queries = reads()
    units = every_unit(queries)
    answers = {unit: queries.unit_answer(unit) for unit in units}
    for unit in units:
        assert answers[unit] == views(queries, unit), unit
    # The world holds what the statement has to write: each part of an answer is met.
    met = [a for a in answers.values() if a is not None]
    assert any(a["unit"]["former_names"] for a in met)
    assert any(a["unit"]["predecessors"] for a in met)
    assert any(a["unit"]["successors"] for a in met)
    assert any(a["unit"]["ceased"] for a in met)
    assert any(a["bans"] for a in met)
    assert any(a["removals_due"] for a in met)
    designations = [d for a in met for d in a["designations"]]
    assert any(d["evaluator"] is not None for d in designations)
    assert any(d["rectify_by"] is not None for d in designations)
    assert {d["in_force"] for d in designations} == {True, False}
    assert any(not a["designations"] for a in met)
    assert queries.unit_answer(UUID(int=7)) is None


def test_a_generated_corpus_is_answered_as_the_views_answer(database_url: str) -> None:
    populate(database_url, events=1_500, seed=31)
    greenreg = open_greenreg(database_url)
    try:
        queries = greenreg.queries
        units = every_unit(queries)
        assert len(units) > 100
        for unit in units:
            assert queries.unit_answer(unit) == views(queries, unit), unit
    finally:
        greenreg.close()


def test_the_route_answers_it_and_follows_a_write(world: World, database_url: str) -> None:
    lives(world)
    with api_client(world, database_url) as client:
        del client.headers["Authorization"]  # the public: its answers are tagged
        facade = facade_of(client)
        facade.projector.catch_up()
        queries = facade.queries
        (unit,) = [u for u in every_unit(queries) if answer_name(queries, u) == "苏州双榜公司"]
        first = client.get(f"/api/v1/units/{unit}")
        assert first.status_code == 200
        body = first.json()
        assert {key: body[key] for key in PARTS} == views(queries, unit)
        assert body["removals_due"] == []
        # An accident recorded meanwhile: the tag no longer matches, the answer says so.
        world.submit(
            "sz-eit",
            "record_incident",
            effective_date="2025-03-10",
            document="苏应急〔2025〕12号",
            unit=str(unit),
            incident="major_safety_accident",
        )
        facade.projector.catch_up()
        second = client.get(
            f"/api/v1/units/{unit}", headers={"If-None-Match": first.headers["etag"]}
        )
        assert second.status_code == 200
        assert second.headers["etag"] != first.headers["etag"]
        body = second.json()
        assert {key: body[key] for key in PARTS} == views(queries, unit)
        assert body["removals_due"] != []


PARTS = ("unit", "designations", "bans", "removals_due")


def answer_name(queries: Queries, unit: UUID) -> str | None:
    found = queries.unit(unit)
    return None if found is None else found.name
