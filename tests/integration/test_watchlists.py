"""Watchlists with signed webhooks, on SQLite and PostgreSQL, with a real HTTPS receiver on
loopback (a test certificate authority the worker is told to trust).

The story: a bank holding an API key watches an enterprise by its credit code and a park by
its unit id. Its receiver fails the first two deliveries; the registry retries, with backoff,
the same signed bytes. The server stops while a notification is pending and more changes are
recorded while it is down; a new server on the same database delivers the rest. The bank gets
exactly one signed notification per status change of a watched unit, in log order, each
verified with the log public key the root declared; nothing about the unit it does not watch.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any
from uuid import UUID

import orjson
import pytest
from fastapi.testclient import TestClient

from greenreg.api import create_app
from greenreg.bootstrap import Greenreg, open_greenreg
from greenreg.errors import SignatureError
from greenreg.events.signing import Ed25519Signer
from greenreg.storage.log_key import declare
from greenreg.subscribers.api_keys import ApiKeys
from greenreg.subscribers.changes import change_of
from greenreg.subscribers.delivery import DeliveryWorker
from greenreg.subscribers.notifications import verify_notification
from tests.integration.test_api_log import trusted_log_key
from tests.integration.webhook_receiver import Receiver
from tests.support import World

CODE = "91310115MA1K3BTP2B"  # the watched enterprise (Pudong New Area, Shanghai)
OTHER_CODE = "911522010783762860"  # registered, not watched
FACTORY = {"programme": "green_factory", "jurisdiction": "CN"}
PARK = {"programme": "green_park", "jurisdiction": "320000"}


def fast_worker(facade: Greenreg) -> DeliveryWorker:
    return DeliveryWorker(
        facade.registry, facade.queries.store, poll=0.02, backoff_base=0.05, backoff_cap=0.2
    )


@contextmanager
def server(world: World, url: str) -> Iterator[tuple[TestClient, Greenreg]]:
    """The API as ``greenreg serve`` runs it, with its delivery worker in a thread."""
    facade = open_greenreg(url, clock=world.clock)
    try:
        with TestClient(create_app(facade, webhooks=fast_worker)) as client:
            yield client, facade
    finally:
        facade.close()


def wait_for(condition: Callable[[], bool], what: str, seconds: float = 20) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.02)


def submit(facade: Greenreg, world: World, issuer: str, act: str, **fields: Any) -> UUID:
    return facade.submit(world.act(issuer, act, **fields)).subject_id


def expected_changes(client: TestClient, start: int, watched: set[str]) -> list[tuple[int, str]]:
    """(position, change) of every status change of a watched unit from ``start``, read from
    the public event feed (not from the watchlist code)."""
    events = client.get("/api/v1/events", params={"after": start, "limit": 1000}).json()
    found = []
    for event in events["events"]:
        unit = event["event_id"].split("/")[0]
        change = change_of(event["type"])
        if unit in watched and change is not None:
            found.append((event["position"], change))
    return found


def test_a_watchlist_gets_one_signed_notification_per_change_in_order_across_failures_and_a_restart(
    world: World, database_url: str, receiver: Receiver
) -> None:
    declare(world.registry, world.root.signer, world.clock.now)
    with server(world, database_url) as (client, facade):
        log_key = trusted_log_key(client, world.root.signer.public_key)
        _, key = ApiKeys(facade.queries.store).issue("示例银行")
        auth = {"Authorization": f"Bearer {key}"}
        # Units exist before the watchlist: the enterprise (watched by its credit code), a park
        # (watched by its id) and a bystander nobody watches.
        submit(facade, world, "miit", "register_unit", effective_date="2018-05-02",
               kind="enterprise", name="上海浦东新材料有限公司", credit_code=CODE,
               division="310115")  # fmt: skip
        park = submit(facade, world, "js-eit", "register_unit", effective_date="2017-01-01",
                      kind="park", name="苏州工业园区", credit_code=None,
                      division="320500")  # fmt: skip
        submit(facade, world, "miit", "register_unit", effective_date="2017-03-01",
               kind="enterprise", name="兴安盟某制造有限公司", credit_code=OTHER_CODE,
               division="152201")  # fmt: skip

        # The bank registers its watchlist; the receiver will fail the first two deliveries.
        receiver.fail_next = 2
        answer = client.post(
            "/api/v1/watchlists",
            headers=auth,
            json={"url": receiver.url, "entries": [CODE, str(park)]},
        )
        assert answer.status_code == 201, answer.text
        watchlist = answer.json()
        start = watchlist["next_position"]
        assert watchlist["entry_count"] == 2
        assert watchlist["unknown_codes"] == 0

        # Changes: two on watched units, one on the bystander.
        submit(facade, world, "miit", "designate", unit=CODE, effective_date="2019-10-15",
               batch="第四批", grade=None, document="工信厅节函〔2019〕237号",
               **FACTORY)  # fmt: skip
        submit(facade, world, "miit", "designate", unit=OTHER_CODE, effective_date="2019-10-15",
               batch="第四批", grade=None, document="工信厅节函〔2019〕237号",
               **FACTORY)  # fmt: skip
        submit(facade, world, "js-eit", "designate", unit=str(park), effective_date="2020-01-01",
               batch="第一批", grade=None, document="苏工信节能〔2020〕1号", **PARK)  # fmt: skip
        wait_for(lambda: len(receiver.delivered()) == 2, "the first two notifications")
        first_three = receiver.received[:3]
        assert [r.status for r in first_three] == [500, 500, 204]
        assert len({r.body for r in first_three}) == 1, "a retry sends the same signed bytes"

        # The receiver goes down; the enterprise's rename is recorded and its delivery fails;
        # the server stops while that notification is pending.
        receiver.down = True
        before = len(receiver.received)
        submit(facade, world, "miit", "rename", unit=CODE, effective_date="2024-09-01",
               new_name="上海浦东新材料科技有限公司", reported_on="2024-09-10")  # fmt: skip
        wait_for(lambda: len(receiver.received) > before, "a failed attempt at the rename")
        pending = client.get(f"/api/v1/watchlists/{watchlist['watchlist_id']}", headers=auth)
    assert pending.status_code == 200
    assert pending.json()["pending"] is not None, "the rename is still to be delivered"
    seen_before_restart = len(receiver.received)

    # While the server is down, the park is renamed and the enterprise removed.
    with server_down_writes(world, database_url) as facade:
        submit(facade, world, "js-eit", "rename", unit=str(park), effective_date="2022-06-01",
               new_name="苏州工业园区绿色发展区", reported_on="2022-06-10")  # fmt: skip
        submit(facade, world, "miit", "remove", unit=CODE, effective_date="2025-05-10",
               ground="dynamic_adjustment", **FACTORY)  # fmt: skip
    assert len(receiver.received) == seen_before_restart, "no worker ran while it was down"

    # A new server on the same database; the receiver is back.
    receiver.down = False
    with server(world, database_url) as (client, facade):
        expected = expected_changes(client, start, {str(park), str(unit_of(client, CODE))})
        wait_for(lambda: len(receiver.delivered()) == len(expected), "every notification")
        time.sleep(0.3)  # nothing more arrives
        deliveries = client.get(
            f"/api/v1/watchlists/{watchlist['watchlist_id']}/deliveries", headers=auth
        ).json()["deliveries"]

    # Exactly one notification per change, in log order, each signed by the log key.
    delivered = receiver.delivered()
    contents = [
        verify_notification(r.body, r.headers["greenreg-signature"], log_key) for r in delivered
    ]
    assert [(c["position"], c["change"]) for c in contents] == expected
    assert [c["change"] for c in contents] == [
        "designated", "designated", "renamed", "renamed", "removed"
    ]  # fmt: skip
    assert [r.headers["greenreg-delivery"] for r in delivered] == [
        f"{watchlist['watchlist_id']}/{c['position']}" for c in contents
    ]
    assert {c["unit"]["credit_code"] for c in contents} >= {CODE}
    assert OTHER_CODE not in {c["unit"]["credit_code"] for c in contents}
    # The delivery log holds every attempt: the two failures, then one success per change.
    assert [d["outcome"] for d in deliveries[:3]] == ["failed", "failed", "delivered"]
    assert [d["position"] for d in deliveries if d["outcome"] == "delivered"] == [
        p for p, _ in expected
    ]
    # The rename pending at the restart went out after it as the very bytes tried before.
    tried = {r.body for r in receiver.received[before:seen_before_restart]}
    assert tried == {delivered[2].body}
    assert sum(d["outcome"] == "failed" for d in deliveries) == len(receiver.received) - len(
        delivered
    )


@contextmanager
def server_down_writes(world: World, url: str) -> Iterator[Greenreg]:
    """Writes while no server (and no worker) runs: the registry alone."""
    facade = open_greenreg(url, clock=world.clock)
    try:
        yield facade
    finally:
        facade.close()


def unit_of(client: TestClient, code: str) -> str:
    answer = client.post("/api/v1/certifications", json={"refs": [code]}).json()
    return str(answer["results"][0]["unit_id"])


def test_a_notification_altered_or_signed_by_another_key_is_refused(
    world: World, database_url: str, receiver: Receiver
) -> None:
    declare(world.registry, world.root.signer, world.clock.now)
    with server(world, database_url) as (client, facade):
        log_key = trusted_log_key(client, world.root.signer.public_key)
        _, key = ApiKeys(facade.queries.store).issue("bank")
        unit = submit(facade, world, "js-eit", "register_unit", effective_date="2017-01-01",
                      kind="park", name="苏州工业园区", credit_code=None,
                      division="320500")  # fmt: skip
        answer = client.post(
            "/api/v1/watchlists",
            headers={"Authorization": f"Bearer {key}"},
            json={"url": receiver.url, "entries": [str(unit)], "from_position": 0},
        )
        assert answer.status_code == 201, answer.text
        submit(facade, world, "js-eit", "designate", unit=str(unit), effective_date="2020-01-01",
               batch="第一批", grade=None, document="苏工信节能〔2020〕1号", **PARK)  # fmt: skip
        wait_for(lambda: len(receiver.delivered()) == 1, "the designation")
    [sent] = receiver.delivered()
    header = sent.headers["greenreg-signature"]
    content = verify_notification(sent.body, header, log_key)
    assert content["change"] == "designated"

    altered = orjson.loads(sent.body)
    altered["change"] = "removed"
    with pytest.raises(SignatureError):
        verify_notification(orjson.dumps(altered), header, log_key)
    with pytest.raises(SignatureError):
        verify_notification(sent.body, header, Ed25519Signer.generate().public_key)
