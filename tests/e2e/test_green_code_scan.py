"""Scan to verify, over HTTP: the green code's URL names a statement the registry makes again, and
every altered, malformed or outdated URL gets a page that says so (never an error).

The same small registry as the lookup stories (``test_browser.fill``), on SQLite and on
PostgreSQL. What the browser itself concludes is in ``test_browser_green_code.py``.
"""

from __future__ import annotations

import base64
import re
from collections.abc import Iterator
from contextlib import contextmanager
from urllib.parse import urlsplit
from uuid import UUID

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from greenreg.api import create_app
from greenreg.bootstrap import Greenreg, open_read_store
from greenreg.code_reference import CodeReference, parse
from greenreg.events.canonical import canonical_bytes
from greenreg.events.signing import verify_signature
from greenreg.projections.queries import Queries
from greenreg.projections.runner import Projector
from greenreg.receipts import verify_receipt
from tests.e2e.test_browser import PARK, Lookup, fill
from tests.support import World

SCAN_URL = re.compile(r'class="scan-url" href="([^"]+)"')
SIGNED = re.compile(r'data-signed="([^"]+)"')


@pytest.fixture
def lookup(world: World) -> Lookup:
    return fill(world)


@contextmanager
def opened_app(world: World, database_url: str) -> Iterator[FastAPI]:
    """The registry's app over the world's database, read models caught up; its read store is
    closed afterwards (a PostgreSQL server shared by many runs has few connections to spare)."""
    store = open_read_store(database_url)
    try:
        projector = Projector(world.registry, store)
        projector.catch_up()
        yield create_app(Greenreg(world.registry, projector, Queries(store)))
    finally:
        store.close()


@contextmanager
def opened_client(world: World, database_url: str) -> Iterator[TestClient]:
    with opened_app(world, database_url) as app, TestClient(app) as client:
        yield client


@pytest.fixture
def client(world: World, database_url: str, lookup: Lookup) -> Iterator[TestClient]:
    with opened_client(world, database_url) as client:
        yield client


def scan_path(client: TestClient, unit: object) -> str:
    """The path of the URL the unit page's green code carries (``/V/...``)."""
    html = client.get(f"/units/{unit}").text
    found = SCAN_URL.search(html)
    assert found is not None, html[html.find('<figure class="green-code">') :]
    url = found[1]
    assert url.startswith("HTTP://TESTSERVER/V/")
    return urlsplit(url).path


def remove_park(world: World, unit: UUID) -> None:
    """MIIT removes the park from the national green-park list from 2025-06-01."""
    world.submit(
        "miit",
        "remove",
        effective_date="2025-06-01",
        document="工信厅节函〔2025〕1号",
        unit=str(unit),
        programme="green_park",
        jurisdiction="CN",
        ground="dynamic_adjustment",
    )


def test_the_scanned_url_shows_the_statement_the_log_key_signed(
    client: TestClient, world: World, lookup: Lookup
) -> None:
    path = scan_path(client, lookup.listed)
    reference = parse(path.removeprefix("/V/"))
    response = client.get(path)
    assert response.status_code == 200
    html = response.text
    # The server's own verdict first (the browser checks again), Chinese then English.
    assert 'class="verdict verdict-valid"' in html
    assert '<strong><span>有效</span> <span class="en" lang="en">valid</span></strong>' in html
    assert f"<h2>{PARK}</h2>" in html
    assert "绿色工业园区" in html
    assert "工信厅节函〔2019〕237号" in html
    assert f'href="/units/{lookup.listed}"' in html
    assert '<script type="module" src="/static/scan.js?v=' in html
    # The bytes the page hands the script are the statement the signature in the URL signs.
    found = SIGNED.search(html)
    assert found is not None
    signed = base64.b64decode(found[1])
    log_key = world.registry.recorder.log_signer.public_key
    verify_signature(log_key, signed, reference.signature)
    # ... the same statement as green-code.json, which the CLI verifies.
    statement = client.get(f"/units/{lookup.listed}/green-code.json").json()["document"]
    body = verify_receipt(statement, log_key)
    assert canonical_bytes(body) == signed
    assert body["answer"]["unit_id"] == str(lookup.listed)
    assert body["checkpoint"].split("\n")[1] == str(reference.size)
    # The lower-case path (a browser or a person may lower it) is the same page.
    assert client.get(path.lower().replace("/v/", "/v/", 1)).text == html


def test_the_statement_is_made_again_from_its_id_byte_for_byte(
    world: World, database_url: str, lookup: Lookup
) -> None:
    """Nothing is stored per code: a second server process makes the same statement, and the
    log growing does not change the code of an unchanged unit's older checkpoint."""
    with opened_client(world, database_url) as first:
        path = scan_path(first, lookup.listed)
        page = first.get(path).text
    world.register("miit", "另一个园区", "320500")  # the log grows; the park does not change
    with opened_client(world, database_url) as second:
        again = second.get(path)
        assert again.status_code == 200
        assert SIGNED.search(again.text)[1] == SIGNED.search(page)[1]  # type: ignore[index]
        assert 'class="verdict verdict-valid"' in again.text
        # The page now shows a newer code (a bigger checkpoint), the old one still holds.
        assert scan_path(second, lookup.listed) != path


def altered(path: str) -> list[str]:
    """The URL with its id or its signature changed."""
    prefix, text = path.rsplit("/", 1)
    reference = parse(text)
    flipped = bytes([reference.signature[0] ^ 1]) + reference.signature[1:]
    return [
        f"{prefix}/{CodeReference(reference.registered, reference.size, flipped).text()}",
        f"{prefix}/{CodeReference(reference.registered, reference.size - 1, reference.signature).text()}",  # noqa: E501
    ]


def test_an_altered_signature_or_checkpoint_is_not_valid(
    client: TestClient, lookup: Lookup
) -> None:
    for path in altered(scan_path(client, lookup.listed)):
        response = client.get(path)
        assert response.status_code == 200
        assert 'class="verdict verdict-invalid"' in response.text
        assert "无效</span>" in response.text
        assert "not valid" in response.text
        assert "the signature does not match the statement" in response.text


def test_another_units_id_with_this_signature_is_not_valid(
    client: TestClient, lookup: Lookup
) -> None:
    """The id names another unit with a code of its own: its statement, not this signature's."""
    mine = parse(scan_path(client, lookup.listed).removeprefix("/V/"))
    theirs = parse(scan_path(client, lookup.factory).removeprefix("/V/"))
    forged = CodeReference(theirs.registered, mine.size, mine.signature)
    html = client.get(f"/V/{forged.text()}").text
    assert "上海浦东新材料有限公司" in html
    assert 'class="verdict verdict-invalid"' in html
    assert "签名与声明不符" in html


@pytest.mark.parametrize(
    "tail",
    [
        "",
        "x",
        "12.34",
        "1.2." + "A" * 102,
        "1.2." + "A" * 104,
        "01.2." + "A" * 103,
        "5.5." + "A" * 103,
        "<script>alert(1)</script>",
        "%00",
        "9" * 400,
        "1.99999999999999999." + "A" * 103,  # no such checkpoint
    ],
)
def test_a_malformed_or_unknown_reference_is_a_not_valid_page(
    client: TestClient, world: World, tail: str
) -> None:
    before = world.snapshot()
    for prefix in ("/V/", "/v/"):
        response = client.get(prefix + tail)
        assert response.status_code == 404, response.text
        assert response.headers["content-type"] == "text/html; charset=utf-8"
        assert 'class="verdict verdict-invalid"' in response.text
        assert "此地址不对应本登记簿出具的任何绿码" in response.text
        assert "this address names no green code" in response.text
        assert "<script>alert" not in response.text
        assert "data-signed" not in response.text
    assert world.snapshot() == before


def test_a_position_that_is_not_a_units_registration_names_nothing(
    client: TestClient, lookup: Lookup
) -> None:
    reference = parse(scan_path(client, lookup.listed).removeprefix("/V/"))
    # Position 0 is the registry's founding; the one after the park's registration is its
    # designation (a second event of the same unit).
    for position in (0, reference.registered + 1):
        forged = CodeReference(position, reference.size, reference.signature)
        response = client.get(f"/V/{forged.text()}")
        assert response.status_code == 404
        assert f"no unit was registered at log position {position}" in response.text


def test_a_removed_unit_has_no_code_and_its_old_code_has_expired(
    world: World, database_url: str, lookup: Lookup
) -> None:
    with opened_client(world, database_url) as client:
        path = scan_path(client, lookup.listed)
        removed = scan_path(client, lookup.factory)  # a second unit, for the checkpoint test
    remove_park(world, lookup.listed)
    with opened_client(world, database_url) as client:
        # The unit page: no green code, and why.
        html = client.get(f"/units/{lookup.listed}").text
        assert '<img class="qr"' not in html
        assert "该单位目前没有可以使用的称号，不出具绿码。" in html
        for image in ("png", "svg", "json"):
            assert client.get(f"/units/{lookup.listed}/green-code.{image}").status_code == 404
        # The code printed before: genuine, but expired, and the page says where to look.
        response = client.get(path)
        assert response.status_code == 200
        assert 'class="verdict verdict-expired"' in response.text
        assert "已过期</span>" in response.text
        assert "this unit changed after this code was issued" in response.text
        assert f'<a href="/units/{lookup.listed}">' in response.text
        # A code for the removed unit at today's checkpoint cannot exist.
        reference = parse(path.removeprefix("/V/"))
        latest = parse(scan_path(client, lookup.factory).removeprefix("/V/")).size
        assert latest > parse(removed.removeprefix("/V/")).size
        forged = CodeReference(reference.registered, latest, reference.signature)
        response = client.get(f"/V/{forged.text()}")
        assert response.status_code == 404
        assert "gets no green code: it holds no designation in force" in response.text
