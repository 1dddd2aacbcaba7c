"""HTTP caching on SQLite and PostgreSQL: every public read (REST, GraphQL over GET, the lookup
and unit pages) carries a strong ETag derived from its data version and question, and
``Cache-Control: public, max-age=0, must-revalidate``; the same question asked again with
``If-None-Match`` is answered 304 with no body and the same ETag, without running the route;
after a write the tag changes. Writes, signed receipts, authenticated routes and jobs carry no
public caching headers."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta, tzinfo
from typing import Any

import pytest
from fastapi.testclient import TestClient
from httpx import Response
from prometheus_client.parser import text_string_to_metric_families

from greenreg.api import caching
from greenreg.api.caching import NOT_MODIFIED_ROUTE, PUBLIC
from greenreg.subscribers.api_keys import ApiKeys
from tests.e2e.support import FACTORY_CODE, Scenario, api_client, count_reads, facade_of
from tests.integration.jobs_support import submit
from tests.integration.webhook_receiver import Receiver
from tests.support import World

READS = [
    f"/api/v1/units/{FACTORY_CODE}",
    f"/api/v1/units/{FACTORY_CODE}/history",
    "/api/v1/lookup?q=苏州",
    "/api/v1/lists/green_factory?as_of=2025-01-01",
    "/api/v1/bans",
    "/api/v1/events?after=0",
    "/graphql?query=%7Bsearch(text%3A%22%E8%8B%8F%E5%B7%9E%22)%7Bunit%7Bname%7D%7D%7D",
    "/?q=苏州",
    "/results?q=苏州",
]


@pytest.fixture
def client(world: World, database_url: str) -> Iterator[TestClient]:
    """A member of the public: no API key (an answer to a key holder is not a public answer)."""
    with api_client(world, database_url) as client:
        del client.headers["Authorization"]
        yield client


def tagged(response: Response) -> str:
    """The response's ETag, after checking it is a public, cacheable read."""
    assert response.status_code == 200, response.text
    assert response.headers["cache-control"] == PUBLIC
    tag = response.headers["etag"]
    assert tag.startswith('"')  # strong: not W/"..."
    assert tag.endswith('"')
    return tag


def not_public(response: Response) -> None:
    assert "etag" not in response.headers
    assert response.headers.get("cache-control", "no-store") in {"no-store", "private, no-store"}


@pytest.mark.parametrize("path", READS)
def test_a_repeated_read_is_answered_304_until_a_write(
    client: TestClient, scenario: Scenario, world: World, path: str
) -> None:
    first = client.get(path)
    tag = tagged(first)
    assert "Greenreg-Data-Version" in first.headers
    assert tagged(client.get(path)) == tag  # the same question, the same bytes, the same tag

    statements = count_reads(facade_of(client))
    again = client.get(path, headers={"If-None-Match": tag})
    assert again.status_code == 304
    assert again.content == b""
    assert again.headers["etag"] == tag
    assert again.headers["cache-control"] == PUBLIC
    assert again.headers["greenreg-data-version"] == first.headers["greenreg-data-version"]
    assert len(statements) <= 2, statements  # the data version only, not the question
    # Among other tags, or weak: still a match (RFC 9110 compares If-None-Match weakly).
    listed = client.get(path, headers={"If-None-Match": f'"other", W/{tag}'})
    assert listed.status_code == 304
    assert client.get(path, headers={"If-None-Match": '"other"'}).status_code == 200

    write = client.post(
        "/api/v1/acts",
        json=world.act(
            "miit",
            "register_unit",
            effective_date="2024-01-02",
            kind="enterprise",
            name="苏州新写入有限公司",
            credit_code=None,
            division="320505",
        ),
    )
    assert write.status_code == 201, write.text
    not_public(write)
    after = client.get(path, headers={"If-None-Match": tag})
    assert after.status_code == 200
    assert tagged(after) != tag
    assert after.headers["greenreg-data-version"] != first.headers["greenreg-data-version"]


def test_a_tag_is_the_answer_of_one_question(client: TestClient, scenario: Scenario) -> None:
    unit = tagged(client.get(f"/api/v1/units/{FACTORY_CODE}"))
    other = client.get(f"/api/v1/units/{scenario.park}", headers={"If-None-Match": unit})
    assert tagged(other) != unit
    lookup = tagged(client.get("/api/v1/lookup", params={"q": "苏州"}))
    narrower = client.get(
        "/api/v1/lookup", params={"q": "苏州", "limit": 1}, headers={"If-None-Match": lookup}
    )
    assert narrower.status_code == 200


def test_an_answer_that_varies_by_accept_is_tagged_per_accept(
    client: TestClient, scenario: Scenario
) -> None:
    path = "/api/v1/log/checkpoint"
    as_json = client.get(path, headers={"Accept": "application/json"})
    as_note = client.get(path, headers={"Accept": "text/plain"})
    assert as_json.headers["vary"] == as_note.headers["vary"] == "Accept"
    json_tag, note_tag = tagged(as_json), tagged(as_note)
    assert json_tag != note_tag
    both = f"{json_tag}, {note_tag}"  # a cache holding both variants asks with both tags
    for accept, tag in (("application/json", json_tag), ("text/plain", note_tag)):
        again = client.get(path, headers={"Accept": accept, "If-None-Match": both})
        assert again.status_code == 304
        assert again.headers["etag"] == tag
        assert again.headers["vary"] == "Accept"


def test_receipts_writes_and_private_routes_carry_no_public_caching(
    client: TestClient, scenario: Scenario, receiver: Receiver
) -> None:
    receipt = client.get(f"/api/v1/units/{FACTORY_CODE}", params={"receipt": "true"})
    assert receipt.status_code == 200
    assert "receipt" in receipt.json()
    not_public(receipt)

    signed: dict[str, Any] = {
        "query": f'{{ certifications(refs: ["{FACTORY_CODE}"], receipt: true) '
        "{ receipt { keyId } } }"
    }
    over_get = client.get("/graphql", params=signed)
    assert over_get.status_code == 200
    assert "Greenreg-Data-Version" in over_get.headers
    not_public(over_get)

    posted = client.post("/graphql", json={"query": '{ search(text: "苏州") { score } }'})
    assert posted.status_code == 200
    not_public(posted)
    check = client.post("/api/v1/certifications", json={"refs": [FACTORY_CODE]})
    assert check.status_code == 200
    not_public(check)

    _, key = ApiKeys(facade_of(client).queries.store).issue("bank")
    auth = {"Authorization": f"Bearer {key}"}
    body = {"url": receiver.url, "entries": [FACTORY_CODE]}
    created = client.post("/api/v1/watchlists", json=body, headers=auth)
    assert created.status_code == 201, created.text
    not_public(created)
    shown = client.get(f"/api/v1/watchlists/{created.json()['watchlist_id']}", headers=auth)
    assert shown.status_code == 200
    not_public(shown)
    # A read asked with credentials is not tagged either (it may be answered for its holder).
    not_public(client.get(f"/api/v1/units/{FACTORY_CODE}", headers=auth))

    client.headers.update(auth)  # jobs need a key
    job = submit(client, f"ref\n{FACTORY_CODE}\n", format="csv")
    assert job.status_code == 202, job.text
    not_public(job)
    not_public(client.get(f"/api/v1/jobs/{job.json()['id']}"))


def test_refusals_are_not_tagged(client: TestClient, scenario: Scenario) -> None:
    missing = client.get("/api/v1/units/00000000-0000-4000-8000-000000000009")
    assert missing.status_code == 404
    not_public(missing)


def test_a_304_is_counted_and_logged_under_one_route(
    client: TestClient, scenario: Scenario, caplog: pytest.LogCaptureFixture
) -> None:
    # Two units, each asked again with its tag: answered before any route is chosen.
    paths = [f"/api/v1/units/{FACTORY_CODE}", f"/api/v1/units/{scenario.park}"]
    tags = [tagged(client.get(path)) for path in paths]
    with caplog.at_level(logging.INFO, logger="greenreg.http"):
        for path, tag in zip(paths, tags, strict=True):
            assert client.get(path, headers={"If-None-Match": tag}).status_code == 304
    # Each is logged with its path, under the one route name 304s have ...
    lines = [r.__dict__["http"] for r in caplog.records if r.name == "greenreg.http"]
    assert [(line["path"], line["route"], line["status"]) for line in lines] == [
        (path, NOT_MODIFIED_ROUTE, 304) for path in paths
    ]
    # ... and counted under it: one metric label for every unit, not one per unit.
    samples = {
        (s.labels["route"], s.labels["status"]): s.value
        for family in text_string_to_metric_families(client.get("/metrics").text)
        if family.name == "greenreg_http_requests"
        for s in family.samples
        if s.name.endswith("_total")
    }
    assert samples[(NOT_MODIFIED_ROUTE, "304")] == 2
    assert not any(
        route.startswith("/api/v1/units/") and route != "/api/v1/units/{ref}"
        for route, _ in samples
    )


class Moment(datetime):
    """The clock the caching layer reads: set by the test (``Moment.at``)."""

    at = datetime(2026, 12, 6, tzinfo=UTC)

    @classmethod
    def now(cls, tz: tzinfo | None = None) -> Moment:  # type: ignore[override]
        return cls.fromtimestamp(cls.at.timestamp(), tz)


def test_a_tag_lasts_until_midnight_in_china(
    client: TestClient, scenario: Scenario, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(caching, "datetime", Moment)
    monkeypatch.setattr(
        Moment, "at", datetime(2026, 12, 6, 15, 59, 59, tzinfo=UTC)
    )  # 23:59:59 in China
    path = f"/api/v1/units/{FACTORY_CODE}"
    # A second before midnight in China: tagged, and the tag answers 304.
    tag = tagged(client.get(path))
    assert client.get(path, headers={"If-None-Match": tag}).status_code == 304
    # At midnight the same question, at the same data version, is another day's answer.
    Moment.at += timedelta(seconds=1)
    after = client.get(path, headers={"If-None-Match": tag})
    assert after.status_code == 200
    new_tag = tagged(after)
    assert new_tag != tag
    assert client.get(path, headers={"If-None-Match": new_tag}).status_code == 304
