"""Watchlists refused, on SQLite and PostgreSQL: no API key, a bad or revoked key, a non-HTTPS,
private or unreachable endpoint, invalid entries (each named), another key's watchlist. Each
refusal says why in words and registers nothing."""

from __future__ import annotations

import socket

import pytest
from fastapi.testclient import TestClient

from greenreg.bootstrap import Greenreg
from greenreg.subscribers.api_keys import ApiKeys
from tests.e2e.support import facade_of, refusal_of
from tests.integration.test_watchlists import CODE
from tests.integration.webhook_receiver import Receiver

BAD_CODE = "91310115MA1K3BTP2X"  # wrong check character


@pytest.fixture
def facade(client: TestClient) -> Greenreg:
    return facade_of(client)


@pytest.fixture
def bank(facade: Greenreg) -> dict[str, str]:
    _, key = ApiKeys(facade.queries.store).issue("示例银行")
    return {"Authorization": f"Bearer {key}"}


def stored(facade: Greenreg) -> tuple[int, int]:
    """(watchlists, entries) in the database."""
    store = facade.queries.store
    return (
        int(store.query("SELECT COUNT(*) FROM greenreg_watchlists")[0][0]),
        int(store.query("SELECT COUNT(*) FROM greenreg_watch_entries")[0][0]),
    )


def closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def test_watchlists_need_an_issued_unrevoked_key(
    client: TestClient, facade: Greenreg, receiver: Receiver
) -> None:
    body = {"url": receiver.url, "entries": [CODE]}
    del client.headers["Authorization"]  # the shared client holds a key: ask as the public
    missing = client.post("/api/v1/watchlists", json=body)
    assert missing.status_code == 401
    assert missing.headers["www-authenticate"].startswith("Bearer")
    assert "API key" in refusal_of(missing)[2]

    keys = ApiKeys(facade.queries.store)
    record, key = keys.issue("bank")
    forged = key[:-4] + ("AAAA" if not key.endswith("AAAA") else "BBBB")
    for wrong in (forged, "grk_0000000000000000_" + "A" * 43, "not a key"):
        answer = client.post(
            "/api/v1/watchlists", json=body, headers={"Authorization": f"Bearer {wrong}"}
        )
        assert answer.status_code == 401, wrong
        assert 'error="invalid_token"' in answer.headers["www-authenticate"]
    good = client.post("/api/v1/watchlists", json=body, headers={"Authorization": f"Bearer {key}"})
    assert good.status_code == 201, good.text
    keys.revoke(record.key_id)
    revoked = client.get(
        f"/api/v1/watchlists/{good.json()['watchlist_id']}",
        headers={"Authorization": f"Bearer {key}"},
    )
    assert revoked.status_code == 401
    assert "revoked" in refusal_of(revoked)[2]
    # Only the hash of the key is stored.
    [(stored_hash,)] = facade.queries.store.query(
        "SELECT key_hash FROM greenreg_api_keys WHERE key_id = ?", (record.key_id,)
    )
    assert key not in str(stored_hash)
    assert len(str(stored_hash)) == 64


def test_an_endpoint_that_is_not_https_private_or_unreachable_is_refused(
    client: TestClient,
    facade: Greenreg,
    bank: dict[str, str],
    receiver: Receiver,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    cases = [
        (receiver.url.replace("https://", "http://"), "not an HTTPS URL"),
        (f"https://127.0.0.1:{closed_port()}/hook", "cannot be reached"),
        ("https://user:secret@127.0.0.1/hook", "no user name or password"),
        ("https://no-such-host.invalid/hook", "does not resolve"),
        ("ftp://127.0.0.1/hook", "not an HTTPS URL"),
    ]
    for url, words in cases:
        answer = client.post(
            "/api/v1/watchlists", headers=bank, json={"url": url, "entries": [CODE]}
        )
        status, code, message = refusal_of(answer)
        assert (status, code) == (422, "invalid_endpoint"), url
        assert words in message, message
    # A certificate the worker does not trust.
    monkeypatch.delenv("GREENREG_WEBHOOK_CA_FILE")
    untrusted = client.post(
        "/api/v1/watchlists", headers=bank, json={"url": receiver.url, "entries": [CODE]}
    )
    assert "TLS certificate is not valid" in refusal_of(untrusted)[2]
    # Loopback is private: refused unless the operator allows private addresses.
    monkeypatch.delenv("GREENREG_WEBHOOK_ALLOW_PRIVATE")
    private = client.post(
        "/api/v1/watchlists", headers=bank, json={"url": receiver.url, "entries": [CODE]}
    )
    assert "not a public address" in refusal_of(private)[2]
    assert stored(facade) == (0, 0)
    assert receiver.received == [], "registering sends no request"


def test_invalid_entries_are_each_named_and_nothing_is_registered(
    client: TestClient, facade: Greenreg, bank: dict[str, str], receiver: Receiver
) -> None:
    entries = [CODE, BAD_CODE, "00000000-0000-0000-0000-000000000000", "苏州工业园区", CODE]
    answer = client.post(
        "/api/v1/watchlists", headers=bank, json={"url": receiver.url, "entries": entries}
    )
    assert answer.status_code == 422
    _, code, detail = refusal_of(answer)
    error = answer.json()
    assert code == "invalid_entries"
    assert "nothing was registered" in detail
    assert [e["index"] for e in error["entries"]] == [1, 3]
    assert "check character" in error["entries"][0]["reason"]
    assert "neither a unit id" in error["entries"][1]["reason"]
    assert stored(facade) == (0, 0)

    unknown_unit = client.post(
        "/api/v1/watchlists",
        headers=bank,
        json={"url": receiver.url, "entries": [CODE, "00000000-0000-0000-0000-000000000000"]},
    )
    assert unknown_unit.status_code == 422
    assert unknown_unit.json()["entries"] == [
        {
            "index": 1,
            "entry": "00000000-0000-0000-0000-000000000000",
            "reason": "no unit in the registry has this id",
        }
    ]
    too_many = client.post(
        "/api/v1/watchlists",
        headers=bank,
        json={"url": receiver.url, "entries": [CODE] * 100_001},
    )
    assert refusal_of(too_many)[:2] == (422, "invalid_parameter")
    assert stored(facade) == (0, 0)

    # A valid code no unit holds yet is watched (duplicates once), and said to be unknown.
    good = client.post(
        "/api/v1/watchlists",
        headers=bank,
        json={"url": receiver.url, "entries": [CODE, CODE.lower()]},
    )
    assert good.status_code == 201, good.text
    assert (good.json()["entry_count"], good.json()["unknown_codes"]) == (1, 1)


def test_a_watchlist_is_its_keys_alone_and_can_be_replayed_and_deleted(
    client: TestClient, facade: Greenreg, bank: dict[str, str], receiver: Receiver
) -> None:
    created = client.post(
        "/api/v1/watchlists", headers=bank, json={"url": receiver.url, "entries": [CODE]}
    ).json()
    path = f"/api/v1/watchlists/{created['watchlist_id']}"
    _, other = ApiKeys(facade.queries.store).issue("another bank")
    assert client.get(path, headers={"Authorization": f"Bearer {other}"}).status_code == 404
    replayed = client.post(f"{path}/replay", headers=bank, json={"from_position": 0})
    assert replayed.status_code == 200
    assert replayed.json()["next_position"] == 0
    beyond = client.post(f"{path}/replay", headers=bank, json={"from_position": 10**9})
    assert refusal_of(beyond)[:2] == (422, "out_of_range")
    assert client.get(f"{path}/deliveries", headers=bank).json()["deliveries"] == []
    assert client.delete(path, headers=bank).status_code == 204
    assert client.get(path, headers=bank).status_code == 404
    assert stored(facade) == (1, 0)
