"""End to end over real HTTP (uvicorn on a loopback port), on PostgreSQL and on SQLite.

An authority (MIIT) POSTs its signed acts (111 of them, one per request); a bank checks 1,000
credit codes as of two dates in one GraphQL request and gets the right outcome for each, in
order; the public finds a unit by the name it had before. Every act is really signed, sent over
a socket, and verified.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from stdnum.cn import uscc

from greenreg.bootstrap import open_greenreg, open_read_store
from greenreg.subscribers.api_keys import ApiKeys
from tests.e2e.server import serving
from tests.support import World

REGISTERED, DESIGNATED, REMOVED = 60, 40, 10  # the first 40 of 60 are listed; 10 removed
UNKNOWN, INVALID = 840, 100  # valid codes the registry never saw; malformed references
BEFORE, AFTER = "2019-12-31", "2025-01-01"  # listed 2020-01-01, removals 2024-07-01


def credit_code(serial: int) -> str:
    """A valid code (GB 32100 with a GB 11714 organisation code) for an enterprise in 110105."""
    organisation = f"{serial:08d}"
    weights = (3, 7, 9, 10, 5, 8, 4, 2)
    check = 11 - sum(int(c) * w for c, w in zip(organisation, weights, strict=True)) % 11
    body = "91110105" + organisation + {10: "X", 11: "0"}.get(check, str(check))
    return body + str(uscc.calc_check_digit(body))


@pytest.fixture
def base_url(world: World, database_url: str) -> Iterator[str]:
    facade = open_greenreg(database_url, clock=world.clock)
    try:
        with serving(facade) as base:
            yield base
    finally:
        facade.close()


@pytest.fixture
def bank(base_url: str, database_url: str) -> dict[str, str]:
    """A bank's API key, issued by the operator (a check of more than 25 codes needs one)."""
    store = open_read_store(database_url)
    try:
        _, key = ApiKeys(store).issue("示例银行")
    finally:
        store.close()
    return {"Authorization": f"Bearer {key}"}


def post(client: httpx.Client, act: dict[str, Any]) -> dict[str, Any]:
    response = client.post("/api/v1/acts", json=act)
    assert response.status_code == 201, response.text
    body: dict[str, Any] = response.json()
    return body


def test_an_authority_posts_a_bank_checks_the_public_looks_up(
    world: World, base_url: str, bank: dict[str, str]
) -> None:
    codes = [credit_code(serial) for serial in range(1, REGISTERED + UNKNOWN + 1)]
    with httpx.Client(base_url=base_url, timeout=60) as client:
        # MIIT registers 60 enterprises, lists 40 of them from 2020-01-01, removes 10 of
        # those on 2024-07-01 (under the national rules, in force from 2024-01-01), and renames
        # the first: one signed act per request.
        for number, code in enumerate(codes[:REGISTERED]):
            post(client, world.act("miit", "register_unit", effective_date="2018-01-01",
                 kind="enterprise", name=f"北京示例制造第{number}有限公司", credit_code=code,
                 division="110105"))  # fmt: skip
        listing = {"programme": "green_factory", "jurisdiction": "CN"}
        for code in codes[:DESIGNATED]:
            post(client, world.act("miit", "designate", unit=code, effective_date="2020-01-01",
                 batch="第五批", grade=None, **listing))  # fmt: skip
        for code in codes[:REMOVED]:
            post(client, world.act("miit", "remove", unit=code, effective_date="2024-07-01",
                 ground="dynamic_adjustment", **listing))  # fmt: skip
        renamed = codes[REMOVED]  # listed, never removed
        post(client, world.act("miit", "rename", unit=renamed, effective_date="2020-09-01",
             new_name="北京绿色智造股份有限公司", reported_on="2020-09-10"))  # fmt: skip

        # A bank checks 1,000 references as of two dates, in one GraphQL request.
        refs = codes + [f"BAD{n:04d}" for n in range(INVALID)]
        assert len(refs) == 1_000
        query = """query Check($refs: [String!]!) {
          before: certifications(refs: $refs, asOf: "%s") { results { ref outcome } }
          after: certifications(refs: $refs, asOf: "%s") { results { ref outcome } }
        }""" % (BEFORE, AFTER)  # noqa: UP031 (GraphQL braces)
        check = {"query": query, "variables": {"refs": refs}}
        response = client.post("/graphql", json=check, headers=bank)
        assert response.status_code == 200
        body = response.json()
        assert "errors" not in body, body["errors"]

        def expected(index: int, day: str) -> str:
            if index >= REGISTERED + UNKNOWN:
                return "INVALID_CODE"
            if index >= REGISTERED:
                return "NOT_FOUND"
            if index >= DESIGNATED or day == BEFORE:
                return "NOT_LISTED"
            # removed from the national list: no ban (MIIT's grounds are not in the seeds)
            return "REMOVED" if index < REMOVED else "CERTIFIED"

        for alias, day in (("before", BEFORE), ("after", AFTER)):
            results = body["data"][alias]["results"]
            assert [r["ref"] for r in results] == refs
            assert [r["outcome"] for r in results] == [expected(i, day) for i in range(1_000)]

        # The public finds the renamed unit by the name it had before.
        response = client.get("/api/v1/lookup", params={"q": f"北京示例制造第{REMOVED}有限公司"})
        assert response.status_code == 200
        [hit, *_] = response.json()["hits"]
        assert hit["matched"] == "former_name"
        assert hit["unit"]["name"] == "北京绿色智造股份有限公司"
        assert hit["unit"]["credit_code"] == renamed
