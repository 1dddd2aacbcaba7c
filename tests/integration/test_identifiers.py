"""A unit first known by name gets its credit code later, by a signed act, and is checked by it.

The published national lists give no credit codes, so their units are registered by name (their
id comes from the registering act). A bank checks borrowers by credit code. ``attach_identifier``
lets the authority competent for the unit's area record the code; from then on the write side
and the read side find the unit by it, and the bank check known at an earlier time answers as
the registry knew then. A code is held by one unit only: a code another unit was registered with
or already had attached is refused, naming both units.
"""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from uuid import UUID

import pytest
from stdnum.cn import uscc

from greenreg.audit.partition import Found
from greenreg.errors import CompetenceError, ConflictError, CreditCodeError, HistoryError
from greenreg.events.vocabulary import IdentifierAttached
from greenreg.storage.log_key import declare
from tests.e2e.support import api_client, refusal_of
from tests.integration.test_tamper_rules import problems, smuggle, verify
from tests.integration.test_verify_paths import audit, outcome, parks_on_two_workers
from tests.support import Reads, World, d

SUZHOU = "320505"


def code(body: str) -> str:
    """A valid credit code: 17 characters and their GB 32100 check character."""
    return body + str(uscc.calc_check_digit(body))


PARK_CODE = code("11320505MB1234567")  # a Suzhou management committee (机关, positions 3-8 Suzhou)
OTHER_CODE = code("91320505MA1K3BTP2")
SHANGHAI_CODE = code("91310115MA1K3BTP2")  # issued in Shanghai Pudong


def attach(world: World, unit: UUID, value: str, issuer: str = "js-eit", **extra: object) -> None:
    world.submit(
        issuer,
        "attach_identifier",
        unit=str(unit),
        effective_date="2026-11-01",
        scheme="uscc",
        value=value,
        **extra,
    )


def designate(
    world: World, unit: str, issuer: str = "js-eit", jurisdiction: str = "320000"
) -> None:
    world.submit(
        issuer,
        "designate",
        unit=unit,
        effective_date="2020-01-01",
        programme="green_park",
        jurisdiction=jurisdiction,
        batch="第一批",
        grade=None,
    )


def test_a_park_known_by_name_gets_its_code_and_is_checked_by_it(
    world: World, reads: Reads
) -> None:
    # A park on the provincial list, known by name only (as the published lists give it).
    park = world.register("js-eit", "苏州甲工业园区", SUZHOU)
    designate(world, str(park))
    # The bank checks by the management body's credit code: the registry does not know it.
    [answer] = reads().certifications([PARK_CODE])
    assert answer.outcome == "not_found"
    before_attach = world.clock.now

    # A day later Jiangsu records the code: one act, one event on the park and the code's claim.
    world.clock.advance(days=1)
    receipt = world.registry.submit(
        world.act(
            "js-eit",
            "attach_identifier",
            unit=str(park),
            effective_date="2026-11-01",
            scheme="uscc",
            value=PARK_CODE.lower(),  # any spelling; the registry keeps the compact form
        )
    )
    assert [e.type for e in receipt.events] == ["IdentifierAttached", "IdentifierClaimed"]
    assert receipt.subject_id == park
    assert world.registry.unit(str(park)).state.credit_code == PARK_CODE

    # The bank check by the code finds the park, certified; as of 2021 too (the code names the
    # park for its whole life, not from the act's effective date on).
    queries = reads()
    [now] = queries.certifications([PARK_CODE])
    assert (now.outcome, now.unit_id, now.name) == ("certified", park, "苏州甲工业园区")
    [in_2021] = queries.certifications([PARK_CODE], as_of=d("2021-06-01"))
    assert in_2021.outcome == "certified"
    # Known at a time before the attach, the registry did not know the code: not found, while
    # the park itself, by its id, was known and certified.
    then = queries.certifications([PARK_CODE, str(park)], known_at=before_attach)
    assert [a.outcome for a in then] == ["not_found", "certified"]

    # The unit answers (REST, GraphQL and the web page read these) carry the code, and the
    # code finds the unit; its history says the code was attached.
    assert queries.unit_id_for_credit_code(PARK_CODE) == park
    view = queries.unit(park)
    assert view is not None
    assert view.credit_code == PARK_CODE
    history = queries.history(park)
    assert history is not None
    assert history.entries[-1].summary == f"credit code attached: {PARK_CODE}"
    assert [(h.unit.id, h.matched) for h in queries.search(PARK_CODE)] == [(park, "credit_code")]

    # The write side finds the park by its code: Suzhou designates it by the code.
    world.submit(
        "sz-eit",
        "designate",
        unit=PARK_CODE,
        effective_date="2025-01-01",
        programme="green_park",
        jurisdiction="320500",
        batch="第一批",
        grade=None,
    )
    assert world.registry.unit(PARK_CODE).id == park
    assert len(world.registry.unit(str(park)).state.designations) == 2


def test_a_code_held_by_another_unit_is_refused_naming_both(world: World) -> None:
    park = world.register("js-eit", "苏州甲工业园区", SUZHOU)
    other = world.register("js-eit", "苏州乙工业园区", SUZHOU)
    # A factory registered with its own code holds it.
    factory = world.register(
        "js-eit", "苏州某制造有限公司", SUZHOU, kind="enterprise", credit_code=OTHER_CODE
    )
    attach(world, park, PARK_CODE)
    before = world.snapshot()

    # The factory's own code may not be attached to the park ...
    with pytest.raises(ConflictError) as refused:
        attach(world, other, OTHER_CODE)
    message = str(refused.value)
    assert "苏州某制造有限公司" in message
    assert str(factory) in message
    assert "苏州乙工业园区" in message
    assert "registered with it" in message
    # ... nor the park's attached code to another park ...
    with pytest.raises(ConflictError) as refused:
        attach(world, other, PARK_CODE)
    message = str(refused.value)
    assert "苏州甲工业园区" in message
    assert "苏州乙工业园区" in message
    assert "attached to it" in message
    # ... nor may a new unit be registered with it.
    with pytest.raises(ConflictError, match="苏州甲工业园区"):
        world.register("js-eit", "苏州丙公司", SUZHOU, kind="enterprise", credit_code=PARK_CODE)
    assert world.snapshot() == before  # nothing recorded


def test_a_unit_keeps_one_code(world: World) -> None:
    park = world.register("js-eit", "苏州甲工业园区", SUZHOU)
    act = world.act(
        "js-eit",
        "attach_identifier",
        unit=str(park),
        effective_date="2026-11-01",
        scheme="uscc",
        value=PARK_CODE,
    )
    world.registry.submit(act)
    before = world.snapshot()
    # The same act again is answered with its first receipt.
    assert world.registry.submit(act).status == "already_recorded"
    # The same code by another act: it holds it already; a second code: refused.
    with pytest.raises(HistoryError, match="already holds credit code"):
        attach(world, park, PARK_CODE)
    with pytest.raises(HistoryError, match="one credit code for its life"):
        attach(world, park, OTHER_CODE)
    assert world.snapshot() == before


def test_a_wrong_code_or_a_code_from_elsewhere_is_refused(world: World) -> None:
    park = world.register("sz-eit", "苏州甲工业园区", SUZHOU)
    before = world.snapshot()
    wrong = PARK_CODE[:-1] + ("0" if PARK_CODE[-1] != "0" else "1")
    with pytest.raises(CreditCodeError, match="check character"):
        attach(world, park, wrong, "sz-eit")
    # Suzhou may not attach a code Shanghai's registration authority issued ...
    with pytest.raises(CompetenceError) as refused:
        attach(world, park, SHANGHAI_CODE, "sz-eit")
    assert "310115" in str(refused.value)
    assert "registered_elsewhere" in str(refused.value)
    # ... nor act on a unit outside its area (Chongqing on a Suzhou park).
    with pytest.raises(CompetenceError):
        attach(world, park, PARK_CODE, "cq-eit")
    assert world.snapshot() == before
    # Unless it says why: the reason is recorded as a flag.
    receipt = world.registry.submit(
        world.act(
            "sz-eit",
            "attach_identifier",
            unit=str(park),
            effective_date="2026-11-01",
            scheme="uscc",
            value=SHANGHAI_CODE,
            registered_elsewhere="管理机构注册于上海浦东",
        )
    )
    [flag] = receipt.flags
    assert flag["code"] == "registered_elsewhere"


@pytest.mark.parametrize("workers", [1, 2, 3])
def test_a_store_with_attached_codes_verifies_on_both_paths(world: World, workers: int) -> None:
    declare(world.registry, world.root.signer, world.clock.now)
    a, b = parks_on_two_workers(world)
    for park in (a, b):
        designate(world, str(park))
    # b gets its code, then acquires a (a and b held by two workers: the acquisition moves b,
    # and its code's claim with it, to a's worker); b is then designated by its code.
    attach(world, b, PARK_CODE)
    world.submit(
        "js-eit",
        "reorganise",
        effective_date="2021-01-01",
        reorganisation="acquisition",
        predecessors=[str(a), str(b)],
        successors=[str(b)],
        reported_on="2021-01-10",
    )
    designate(world, PARK_CODE, "sz-eit", "320500")

    fast = audit(world, workers=workers).run_fast()
    exact = audit(world, workers=workers, exact=True).run()

    assert exact.ok, [str(p) for p in exact.problems]
    assert outcome(fast) == outcome(exact)
    assert fast.events == world.registry.event_count()


def test_verify_names_a_code_smuggled_onto_a_second_unit(
    world: World, database_url: str, tmp_path: Path
) -> None:
    declare(world.registry, world.root.signer, world.clock.now)
    park = world.register("js-eit", "苏州甲工业园区", SUZHOU)
    other = world.register("js-eit", "苏州乙工业园区", SUZHOU)
    attach(world, park, PARK_CODE)
    assert verify(world, database_url, tmp_path)[0] == 0

    # The operator records the park's code on another park behind the registry's back, signed
    # with Jiangsu's real key: the registry would refuse it, naming both.
    act = world.act(
        "js-eit",
        "attach_identifier",
        unit=str(other),
        effective_date="2026-11-02",
        scheme="uscc",
        value=PARK_CODE,
    )
    world.clock.advance(minutes=1)
    smuggle(world, other, IdentifierAttached, act)
    declare(world.registry, world.root.signer, world.clock.now + timedelta(seconds=1))

    code_, output = verify(world, database_url, tmp_path)
    assert code_ != 0
    [line] = [p for p in problems(output) if "registry would refuse" in p]
    assert PARK_CODE in line
    assert "苏州甲工业园区" in line
    assert "苏州乙工业园区" in line
    # The workers' path finds it too and hands it to the exact path, which names it alike.
    with pytest.raises(Found):
        audit(world, workers=2).run_fast()
    assert outcome(audit(world, workers=2).run()) == outcome(
        audit(world, workers=2, exact=True).run()
    )


def test_over_http_an_attached_code_finds_the_unit_and_a_taken_code_is_a_conflict(
    world: World, database_url: str
) -> None:
    park = world.register("js-eit", "苏州甲工业园区", SUZHOU)
    other = world.register("js-eit", "苏州乙工业园区", SUZHOU)
    with api_client(world, database_url) as client:
        # Before the attach, the code names no unit.
        assert client.get(f"/api/v1/units/{PARK_CODE}").status_code == 404
        # Jiangsu submits the signed act over HTTP.
        act = world.act(
            "js-eit",
            "attach_identifier",
            unit=str(park),
            effective_date="2026-11-01",
            scheme="uscc",
            value=PARK_CODE,
        )
        assert client.post("/api/v1/acts", json=act).status_code == 201
        # The unit answer, asked by the code, is the park, with its code.
        unit = client.get(f"/api/v1/units/{PARK_CODE}")
        assert unit.status_code == 200
        assert PARK_CODE in unit.text
        assert str(park) in unit.text
        # The same code for another park: a conflict naming both, nothing recorded.
        before = world.snapshot()
        taken = world.act(
            "js-eit",
            "attach_identifier",
            unit=str(other),
            effective_date="2026-11-01",
            scheme="uscc",
            value=PARK_CODE,
        )
        status, _, message = refusal_of(client.post("/api/v1/acts", json=taken))
        assert status == 409
        assert "苏州甲工业园区" in message
        assert "苏州乙工业园区" in message
        assert world.snapshot() == before
