"""``GET /api/v1/units/{ref}`` answered by the front layer (``lean_reads``, as served) gives the
very answers its FastAPI route gives (``lean_reads=False``), on SQLite and PostgreSQL: status,
headers in their order and body bytes, for a unit (by id and by credit code, to the public and
to a key holder), its 304, a unit not held (404), a reference that names no unit and one too long
(422), a key not issued (401), a body past the limit (413) and a caller past its quota (429,
even with the ETag it holds). So does ``GET /api/v1/lookup?q=`` (hits, none, a limit, refused
texts and limits, a receipt left to its route).
Each request is logged and counted under the route's template either way."""

from __future__ import annotations

import logging
import re
import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any, Literal
from urllib.parse import quote, urlencode

import pytest
from fastapi.testclient import TestClient
from httpx import Response

from greenreg.api.app import create_app
from greenreg.api.quotas import QuotaSettings
from greenreg.api.reading import Reads
from greenreg.api.units import lean_lookup_route
from greenreg.bootstrap import Greenreg, open_greenreg
from greenreg.projections.queries import Queries
from greenreg.storage.log_key import declare
from greenreg.subscribers.api_keys import ApiKeys
from tests.e2e.support import FACTORY_CODE, UNKNOWN_CODE, Scenario, populate
from tests.support import World

ROUTE = "/api/v1/units/{ref}"
LOOKUP = "/api/v1/lookup"
QUOTA = 40
"""Requests each caller may make in these tests before it is refused."""
TIMED = {b"x-ratelimit-reset", b"retry-after"}
"""Headers that say a time in seconds: the two apps' windows open apart, maybe a second."""


@dataclass(frozen=True)
class Pair:
    """Clients of two apps over one store: the lean path on (as served) and off."""

    lean: TestClient
    reference: TestClient
    facade: Greenreg
    key: str


@contextmanager
def apps(world: World, database_url: str, quotas: QuotaSettings | Literal[False]) -> Iterator[Pair]:
    """Clients of two apps over one store, the lean path on and off, with these quotas."""
    facade = open_greenreg(database_url, clock=world.clock)
    try:
        _, key = ApiKeys(facade.queries.store).issue("test subscriber")
        lean_app = create_app(facade, quotas=quotas)
        reference_app = create_app(facade, quotas=quotas, lean_reads=False)
        with TestClient(lean_app) as lean, TestClient(reference_app) as reference:
            yield Pair(lean, reference, facade, key)
    finally:
        facade.close()


@pytest.fixture
def pair(world: World, database_url: str) -> Iterator[Pair]:
    quotas = QuotaSettings(anonymous=f"{QUOTA}/minute", keyed=f"{QUOTA}/minute")
    with apps(world, database_url, quotas) as both:
        yield both


@pytest.fixture
def units(pair: Pair, world: World) -> Scenario:
    declare(world.registry, world.root.signer, world.clock.now)
    return populate(pair.facade, world)


def same(
    pair: Pair, path: str, headers: dict[str, str] | None = None, body: bytes | None = None
) -> Response:
    """Ask both apps the same question; their answers must be the same bytes."""
    lean = pair.lean.request("GET", path, headers=headers, content=body)
    reference = pair.reference.request("GET", path, headers=headers, content=body)
    assert lean.status_code == reference.status_code, (path, lean.text, reference.text)
    assert untimed(lean) == untimed(reference), path
    assert plain_body(lean) == plain_body(reference), path
    for name in ("x-ratelimit-reset", "retry-after"):
        ours, theirs = lean.headers.get(name), reference.headers.get(name)
        assert (ours is None) == (theirs is None), name
        if ours is not None and theirs is not None:
            assert abs(int(ours) - int(theirs)) <= 1, (name, ours, theirs)
    return lean


def untimed(response: Response) -> list[tuple[bytes, bytes]]:
    return [(name, value) for name, value in response.headers.raw if name not in TIMED]


def plain_body(response: Response) -> bytes:
    """The body, with the seconds a 429 says to wait made the same (see :data:`TIMED`)."""
    return re.sub(rb"try again in \d+ s", b"try again in N s", response.content)


def test_the_lean_path_answers_as_the_route_does(pair: Pair, units: Scenario) -> None:
    found = same(pair, f"/api/v1/units/{units.factory}")
    assert found.status_code == 200
    assert found.headers["etag"]
    assert found.json()["unit"]["credit_code"] == FACTORY_CODE
    by_code = same(pair, f"/api/v1/units/{FACTORY_CODE}")
    assert by_code.json()["unit"] == found.json()["unit"]
    assert same(pair, f"/api/v1/units/{str(units.park).upper()}").status_code == 200

    # 304: the ETag asked again, and among other tags.
    tag = found.headers["etag"]
    assert same(pair, f"/api/v1/units/{units.factory}", {"If-None-Match": tag}).status_code == 304
    listed = same(pair, f"/api/v1/units/{units.factory}", {"If-None-Match": f'"x", W/{tag}'})
    assert listed.status_code == 304
    assert same(pair, f"/api/v1/units/{units.park}", {"If-None-Match": tag}).status_code == 200
    # A body: the route's answer (the lean path reads none); past the body limit, 413 first.
    asked = {"If-None-Match": tag}
    assert same(pair, f"/api/v1/units/{units.factory}", asked, b"{}").status_code == 304
    assert same(pair, f"/api/v1/units/{units.park}", {}, b"{}").status_code == 200
    too_large = same(pair, f"/api/v1/units/{units.factory}", asked, b" " * 70_000)
    assert too_large.status_code == 413

    # Refusals, each the same problem.
    for path, status in (
        (f"/api/v1/units/{UNKNOWN_CODE}", 404),
        ("/api/v1/units/00000000-0000-4000-8000-000000000009", 404),
        ("/api/v1/units/not-a-unit", 422),
        (f"/api/v1/units/{quote('苏州')}", 422),
        (f"/api/v1/units/{'9' * 65}", 422),  # too long for the lean path: the route's refusal
    ):
        refused = same(pair, path)
        assert refused.status_code == status, path
        assert refused.headers["content-type"] == "application/problem+json"
        assert "etag" not in refused.headers

    # A key holder's answer is not public (no ETag); a key not issued is refused.
    keyed = same(pair, f"/api/v1/units/{units.factory}", {"Authorization": f"Bearer {pair.key}"})
    assert keyed.status_code == 200
    assert "etag" not in keyed.headers
    assert keyed.content == found.content
    bad_key = {"Authorization": "Bearer grk_0123456789abcdef_" + "A" * 43}
    assert same(pair, f"/api/v1/units/{units.factory}", bad_key).status_code == 401


def test_past_its_quota_a_caller_gets_429_even_with_the_etag(pair: Pair, units: Scenario) -> None:
    path = f"/api/v1/units/{units.factory}"
    tag = same(pair, path).headers["etag"]
    for _ in range(QUOTA - 1):
        assert same(pair, path, {"If-None-Match": tag}).status_code == 304
    for headers in ({"If-None-Match": tag}, {}):
        refused = same(pair, path, headers)
        assert refused.status_code == 429
        assert refused.headers["x-ratelimit-remaining"] == "0"
        assert int(refused.headers["retry-after"]) >= 1
        assert "etag" not in refused.headers
        assert refused.json()["code"] == "refused"


def test_the_lean_path_is_logged_counted_and_documented(
    pair: Pair, units: Scenario, caplog: pytest.LogCaptureFixture
) -> None:
    paths = [f"/api/v1/units/{units.factory}", "/api/v1/units/not-a-unit"]
    with caplog.at_level(logging.INFO, logger="greenreg.http"):
        for path in paths:
            pair.lean.get(path)
    lines = [r.__dict__["http"] for r in caplog.records if r.name == "greenreg.http"]
    assert [(line["path"], line["route"], line["status"]) for line in lines] == [
        (paths[0], ROUTE, 200),
        (paths[1], ROUTE, 422),
    ]
    metrics = pair.lean.get("/metrics").text
    assert f'greenreg_http_requests_total{{method="GET",route="{ROUTE}",status="200"}} 1.0' in (
        metrics
    )
    operation = pair.lean.get("/openapi.json").json()["paths"][ROUTE]["get"]
    assert operation["summary"] == "A unit, its designations and bans, as held now"
    assert set(operation["responses"]) >= {"200", "404", "422"}


def lookup(**params: str | int) -> str:
    return f"{LOOKUP}?{urlencode(params)}"


def test_the_lean_lookup_answers_as_the_route_does(pair: Pair, units: Scenario) -> None:
    # The questions the front layer answers itself (it claims them), each as the route does.
    lean = lean_lookup_route(Reads.of(pair.facade))
    found = same(pair, lookup(q="苏州"))
    assert found.status_code == 200
    assert [hit["unit"]["id"] for hit in found.json()["hits"]] == [
        str(units.park),
        str(units.factory),
    ]
    assert found.headers["etag"]
    for path, status in (
        (lookup(q="苏州"), 200),
        (lookup(q="苏州", limit=1), 200),
        (lookup(limit=100, q="苏州工业园区"), 200),  # a former name
        (lookup(q=FACTORY_CODE), 200),
        (lookup(q="不存在的单位"), 200),  # no hit: what the registry covers
        (lookup(q="\x00"), 422),  # refused by the read (a NUL), as the route refuses it
    ):
        answered = same(pair, path)
        assert answered.status_code == status, path
        assert lean.answer_to(scope_of(path)) is not None, path
    assert "coverage" in same(pair, lookup(q="不存在的单位")).json()
    assert same(pair, lookup(q="苏州", limit=1)).json()["hits"][0]["unit"]["id"] == str(units.park)

    # 304 for the tag it gave; a key holder's answer is not public.
    tag = found.headers["etag"]
    assert same(pair, lookup(q="苏州"), {"If-None-Match": tag}).status_code == 304
    keyed = same(pair, lookup(q="苏州"), {"Authorization": f"Bearer {pair.key}"})
    assert "etag" not in keyed.headers
    assert keyed.content == found.content

    # Every other form of the question is the route's: its refusals, the same problems.
    for path, status in (
        (f"{LOOKUP}?q=", 422),
        (lookup(q="x" * 201), 422),
        (lookup(q="苏州", limit=0), 422),
        (lookup(q="苏州", limit=101), 422),
        (lookup(q="苏州", limit="abc"), 422),
        (LOOKUP, 422),
        (lookup(q="苏州", limit="05"), 200),
        (f"{LOOKUP}?q=a&q={quote('苏州')}", 200),
        (lookup(q="苏州", other="x"), 200),
    ):
        answered = same(pair, path)
        assert answered.status_code == status, path
        assert lean.answer_to(scope_of(path)) is None, path
    # A receipt is signed anew for each answer: the route gives it, with its own policy.
    receipt = pair.lean.get(lookup(q="苏州", receipt="true"))
    assert receipt.status_code == 200
    assert receipt.json()["receipt"]["document"]
    assert receipt.headers["cache-control"] == "no-store"
    assert lean.answer_to(scope_of(lookup(q="苏州", receipt="true"))) is None


def scope_of(path: str) -> dict[str, object]:
    """The ASGI scope of ``GET path`` as the front layer sees it."""
    route, _, query = path.partition("?")
    return {"type": "http", "method": "GET", "path": route, "query_string": query.encode()}


def test_the_lean_lookup_is_logged_and_counted(
    pair: Pair, units: Scenario, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.INFO, logger="greenreg.http"):
        pair.lean.get(lookup(q="苏州"))
        pair.lean.get(lookup(q="\x00"))
    lines = [r.__dict__["http"] for r in caplog.records if r.name == "greenreg.http"]
    assert [(line["route"], line["status"]) for line in lines] == [(LOOKUP, 200), (LOOKUP, 422)]
    metrics = pair.lean.get("/metrics").text
    assert f'greenreg_http_requests_total{{method="GET",route="{LOOKUP}",status="200"}} 1.0' in (
        metrics
    )


def test_past_its_quota_a_caller_gets_429_for_a_lookup(pair: Pair, units: Scenario) -> None:
    tag = same(pair, lookup(q="苏州")).headers["etag"]
    for _ in range(QUOTA - 1):
        assert same(pair, lookup(q="苏州"), {"If-None-Match": tag}).status_code == 304
    refused = same(pair, lookup(q="苏州"))
    assert refused.status_code == 429
    assert refused.json()["code"] == "refused"


def test_short_reads_take_turns_on_sqlite_and_run_side_by_side_on_postgresql(
    pair: Pair, units: Scenario, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Eight short reads asked at once: lookups (by both of the API's paths: one with a receipt
    # is the route's), the page's search, a unit's page and a unit's history; each holds on
    # until released, so those running at once are counted.
    held, most, lock = 0, 0, threading.Lock()
    release = threading.Event()

    def holding(read: Callable[..., Any]) -> Callable[..., Any]:
        def held_on(queries: Queries, *args: Any, **kwargs: Any) -> Any:
            nonlocal held, most
            with lock:
                held += 1
                most = max(most, held)
            try:
                release.wait(timeout=30)
                return read(queries, *args, **kwargs)
            finally:
                with lock:
                    held -= 1

        return held_on

    def within(seconds: float, condition: Callable[[], bool]) -> bool:
        deadline = time.monotonic() + seconds
        while not condition() and time.monotonic() < deadline:
            time.sleep(0.01)
        return condition()

    paths = [
        *[lookup(q="苏州")] * 2,
        *[lookup(q="苏州", receipt="true")] * 2,
        "/results?q=" + quote("苏州"),
        "/?q=" + quote("苏州"),
        f"/units/{units.park}",
        f"/api/v1/units/{units.park}/history",
    ]
    alone = [pair.lean.get(path) for path in paths]
    monkeypatch.setattr(Queries, "lookup", holding(Queries.lookup))
    monkeypatch.setattr(Queries, "history", holding(Queries.history))
    with ThreadPoolExecutor(len(paths)) as pool:
        asked = [pool.submit(pair.lean.get, path) for path in paths]
        assert within(10, lambda: held >= 1)
        within(0.5, lambda: held == len(paths))  # all at once, where they may run so
        # While short reads hold their turn or wait for it, the rest of the app answers.
        assert pair.lean.get(f"/api/v1/units/{units.park}").status_code == 200
        assert held >= 1
        release.set()
        answers = [future.result() for future in asked]
    assert [answer.status_code for answer in answers] == [200] * len(paths)
    for path, answer, first in zip(paths, answers, alone, strict=True):
        if "receipt" in path:  # signed anew for each answer
            assert answer.json()["hits"] == first.json()["hits"]
        else:
            assert answer.content == first.content, path
    if pair.facade.queries.store.dialect == "sqlite":
        assert most == 1
    else:
        assert most == len(paths)
