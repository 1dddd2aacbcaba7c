"""``POST /api/v1/acts`` fuzzed (hypothesis) on a running app, both databases: any body at all,
any envelope, and acts signed by a registered authority's real key with fuzzed fields (so they
pass the signature and reach the rules). Never a server error; every refusal is the one
refusal body (:mod:`greenreg.api.problems`) and changes nothing in the store.

Then the examples the fuzzing found, each written out.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from greenreg.errors import ActFormatError
from greenreg.events.acts import sign_act
from tests.act_strategies import act_bodies, envelopes, raw_bodies
from tests.e2e.support import refusal_of
from tests.support import World

FUZZ = settings(
    max_examples=80, deadline=None, database=None, suppress_health_check=list(HealthCheck)
)


def post(client: TestClient, body: bytes) -> Any:
    return client.post("/api/v1/acts", content=body, headers={"content-type": "application/json"})


def answered_without_failing(client: TestClient, world: World, body: bytes) -> None:
    """No 5xx; a refusal is a problem (RFC 9457) and records nothing."""
    before = world.snapshot()
    response = post(client, body)
    assert response.status_code < 500, response.text
    if response.status_code >= 400:
        _, code, detail = refusal_of(response)
        assert set(response.json()) == {"type", "title", "status", "detail", "instance", "code"}
        assert code, response.text
        assert detail, response.text
        assert world.snapshot() == before
    else:
        assert response.json()["status"] in {"recorded", "already_recorded"}


def fuzz(strategy: st.SearchStrategy[bytes]) -> Callable[[TestClient, World], None]:
    def run(client: TestClient, world: World) -> None:
        @FUZZ
        @given(strategy)
        def one(body: bytes) -> None:
            answered_without_failing(client, world, body)

        one()

    return run


def as_json(value: Any) -> bytes:
    try:
        return json.dumps(value, ensure_ascii=False).encode()
    except RecursionError:
        return b"[]"


def test_any_body_is_answered_without_a_server_error(client: TestClient, world: World) -> None:
    fuzz(raw_bodies.map(lambda body: body if isinstance(body, bytes) else body.encode()))(
        client, world
    )


def test_any_envelope_is_answered_without_a_server_error(client: TestClient, world: World) -> None:
    fuzz(envelopes.map(as_json))(client, world)


def test_a_signed_act_with_fuzzed_fields_is_answered_without_a_server_error(
    client: TestClient, world: World
) -> None:
    """Signed by the registered key of js-eit, now: the signature and the key pass, and the
    act reaches its reader, its command and the rulebooks."""
    park = str(world.register("js-eit", "苏州工业园区", "320500"))
    issuer = world.issuers["js-eit"]

    def signed(act: dict[str, Any]) -> bytes:
        try:
            return as_json(sign_act(act, issuer.signer))
        except ActFormatError:
            return as_json({"act": act, "key_id": issuer.signer.key_id, "signature": ""})

    listing = {"programme": "green_park", "jurisdiction": "320000", "batch": "第一批"}
    world.submit("js-eit", "designate", unit=park, effective_date="2020-01-01", grade=None,
                 **listing)  # fmt: skip
    units = [park, "91310115MA1K3BTP2B"]
    acts = st.one_of(
        act_bodies("js-eit", units, world.clock.now, wild=False),
        act_bodies("js-eit", units, world.clock.now),
    )
    fuzz(acts.map(signed))(client, world)
