"""Quotas and API keys over HTTP, on SQLite and PostgreSQL: every answer says where its caller
stands (GitHub's ``x-ratelimit-*`` headers), a caller past its limit gets 429 with
``Retry-After``, a revoked or unknown key is refused 401, and the bulk questions need a key."""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from fastapi.testclient import TestClient

from greenreg.api.app import create_app
from greenreg.api.quotas import QuotaSettings
from greenreg.bootstrap import open_greenreg
from greenreg.subscribers.access import ANONYMOUS_REFS
from greenreg.subscribers.api_keys import ApiKeys
from tests.support import World

CODE = "91320505MA1MX1MX87"
CHECK = "query C($refs: [String!]!) { certifications(refs: $refs) { results { outcome } } }"
MATCH = 'query { match(queries: [{name: "示例"}]) { results { status } } }'


@contextmanager
def serving(world: World, url: str, settings: QuotaSettings) -> Iterator[tuple[TestClient, str]]:
    """An anonymous client of the app with these quotas, and a key issued to a subscriber."""
    facade = open_greenreg(url, clock=world.clock)
    try:
        _, key = ApiKeys(facade.queries.store).issue("示例银行")
        with TestClient(create_app(facade, quotas=settings)) as client:
            yield client, key
    finally:
        facade.close()


def bearer(key: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {key}"}


def test_every_answer_carries_the_rate_limit_headers(world: World, database_url: str) -> None:
    with serving(world, database_url, QuotaSettings(anonymous="5/minute")) as (client, key):
        before = time.time()
        first = client.get("/api/v1/lookup", params={"q": "示例"})
        assert first.status_code == 200
        assert first.headers["x-ratelimit-limit"] == "5"
        assert first.headers["x-ratelimit-remaining"] == "4"
        assert first.headers["x-ratelimit-used"] == "1"
        assert first.headers["x-ratelimit-resource"] == "core"
        assert before <= int(first.headers["x-ratelimit-reset"]) <= before + 61

        # A refusal is counted and says so too; GraphQL is its own resource.
        missing = client.get("/api/v1/units/not-a-unit")
        assert missing.status_code in {404, 422}
        assert missing.headers["x-ratelimit-used"] == "2"
        graphql = client.post("/graphql", json={"query": "{ __typename }"})
        assert graphql.status_code == 200
        assert graphql.headers["x-ratelimit-resource"] == "graphql"
        assert graphql.headers["x-ratelimit-used"] == "1"

        # A key has its own quota (the default for keys), apart from the address's.
        keyed = client.get("/api/v1/lookup", params={"q": "示例"}, headers=bearer(key))
        assert keyed.headers["x-ratelimit-limit"] == "6000"
        assert keyed.headers["x-ratelimit-used"] == "1"

        # Health checks and metric scrapes are not counted.
        health = client.get("/healthz")
        assert "x-ratelimit-limit" not in health.headers


def test_past_the_limit_a_caller_is_answered_429_with_retry_after(
    world: World, database_url: str
) -> None:
    settings = QuotaSettings(anonymous="3/minute", keyed="4/minute")
    with serving(world, database_url, settings) as (client, key):
        for _ in range(3):
            assert client.get("/api/v1/lookup", params={"q": "示例"}).status_code == 200
        refused = client.get("/api/v1/lookup", params={"q": "示例"})
        assert refused.status_code == 429
        assert 1 <= int(refused.headers["Retry-After"]) <= 60
        assert refused.headers["x-ratelimit-remaining"] == "0"
        assert refused.headers["x-ratelimit-used"] == "3"
        assert "more than 3 requests" in refused.text
        assert "API key" in refused.text

        # The subscriber's key is counted on its own: served, then refused past its own limit.
        for _ in range(4):
            assert client.get(
                "/api/v1/lookup", params={"q": "示例"}, headers=bearer(key)
            ).is_success
        over = client.get("/api/v1/lookup", params={"q": "示例"}, headers=bearer(key))
        assert over.status_code == 429
        assert "this API key made more than 4 requests" in over.text
        assert int(over.headers["Retry-After"]) >= 1


def test_a_revoked_or_unknown_key_is_refused_401(world: World, database_url: str) -> None:
    with serving(world, database_url, QuotaSettings()) as (client, key):
        assert client.get("/api/v1/lookup", params={"q": "x"}, headers=bearer(key)).is_success
        keys = ApiKeys(client.app.state.greenreg.queries.store)  # type: ignore[attr-defined]
        keys.revoke(key.split("_")[1])
        for sent in (key, "grk_0123456789abcdef_" + "A" * 43, "not-a-key"):
            refused = client.get("/api/v1/lookup", params={"q": "x"}, headers=bearer(sent))
            assert refused.status_code == 401, sent
            assert refused.headers["WWW-Authenticate"].startswith('Bearer realm="greenreg"')
            assert 'error="invalid_token"' in refused.headers["WWW-Authenticate"]
            assert "revoked" in refused.text
        # The same request without a key is the public's, and served.
        assert client.get("/api/v1/lookup", params={"q": "x"}).is_success


def test_the_bulk_questions_need_a_key(world: World, database_url: str) -> None:
    many = [CODE] * (ANONYMOUS_REFS + 1)
    with serving(world, database_url, QuotaSettings()) as (client, key):
        # A bank check of up to ANONYMOUS_REFS references is public; one more needs a key.
        small = client.post("/api/v1/certifications", json={"refs": many[:-1]})
        assert small.status_code == 200
        bulk = client.post("/api/v1/certifications", json={"refs": many})
        assert bulk.status_code == 401
        assert bulk.headers["WWW-Authenticate"] == 'Bearer realm="greenreg"'
        assert f"a bank check of more than {ANONYMOUS_REFS} references" in bulk.text
        assert "needs an API key" in bulk.text
        keyed = client.post("/api/v1/certifications", json={"refs": many}, headers=bearer(key))
        assert keyed.status_code == 200
        assert len(keyed.json()["results"]) == ANONYMOUS_REFS + 1

        # The same over GraphQL: a refusal with a stable code, nothing read.
        answer = client.post("/graphql", json={"query": CHECK, "variables": {"refs": many}})
        [error] = answer.json()["errors"]
        assert error["extensions"]["code"] == "API_KEY_REQUIRED"
        assert answer.json()["data"] is None
        keyed_answer = client.post(
            "/graphql", json={"query": CHECK, "variables": {"refs": many}}, headers=bearer(key)
        ).json()
        assert "errors" not in keyed_answer

        # Matching by name and bulk jobs need a key, whatever their size.
        match = client.post("/api/v1/match", json={"queries": [{"name": "示例"}]})
        assert match.status_code == 401
        assert "matching by name needs an API key" in match.text
        assert client.post(
            "/api/v1/match", json={"queries": [{"name": "示例"}]}, headers=bearer(key)
        ).is_success
        [graphql_match] = client.post("/graphql", json={"query": MATCH}).json()["errors"]
        assert graphql_match["extensions"]["code"] == "API_KEY_REQUIRED"
        job = client.post("/api/v1/jobs", content=f"ref\n{CODE}\n")
        assert job.status_code == 401
        assert "a bulk job needs an API key" in job.text


@pytest.mark.parametrize("rate", ["often", "5 per fortnight"])
def test_serve_refuses_a_rate_it_cannot_read(rate: str) -> None:
    from typer.testing import CliRunner

    from greenreg.cli.common import app

    result = CliRunner().invoke(app, ["serve", "--rate-anonymous", rate, "--port", "1"])
    assert result.exit_code == 2
    assert "is not a rate" in result.output
