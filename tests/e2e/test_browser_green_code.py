"""Scan to verify, in a real browser: a person scans a park's green code with a phone and sees
whether it holds.

The QR image the unit page shows is fetched and decoded by a QR decoder (zxing-cpp), as a phone's
camera app would; the browser (Debian's Chromium under Playwright, a phone's viewport and a
desktop's) opens the URL it carries, and the page's script checks the signature itself against
the log key the registry publishes. Screenshots: ``docs/screenshots/green-code-*.png`` (with
``GREENREG_UPDATE_SCREENSHOTS=1``).
"""

from __future__ import annotations

import base64
import io
from pathlib import Path
from urllib.parse import urlsplit

import httpx
import pytest
import zxingcpp
from PIL import Image
from playwright.sync_api import Browser, Page, Route, expect

from greenreg.api import create_app
from greenreg.bootstrap import Greenreg, open_greenreg, open_read_store
from greenreg.code_reference import CodeReference, parse
from greenreg.events.signing import Ed25519Signer
from greenreg.key_formats import private_key_text
from greenreg.projections.queries import Queries
from greenreg.projections.runner import Projector
from greenreg.registry.checkpoints import verifier_key
from greenreg.storage.log_key import declare
from greenreg.storage.log_tables import LogTables
from greenreg.witness.service import Witness, trusted_logs
from greenreg.witness.state import WitnessState
from greenreg.witness.submitter import Submitter, WitnessConfig, WitnessEndpoint
from tests.e2e.test_browser import PARK, browser, fill, serving, shoot
from tests.e2e.test_green_code_scan import opened_app, remove_park
from tests.integration.witnessing import witness_on_loopback
from tests.support import World

__all__ = ["browser"]  # the fixture, shared with the lookup stories

VIEWPORTS = {"phone": {"width": 390, "height": 844}, "desktop": {"width": 1280, "height": 900}}

NO_WEBCRYPTO_ED25519 = """
(() => {
  const importKey = crypto.subtle.importKey.bind(crypto.subtle);
  crypto.subtle.importKey = (format, key, algorithm, ...rest) => {
    const name = typeof algorithm === "string" ? algorithm : algorithm && algorithm.name;
    if (name === "Ed25519") {
      return Promise.reject(new DOMException("Unrecognized algorithm name", "NotSupportedError"));
    }
    return importKey(format, key, algorithm, ...rest);
  };
})();
"""


def scan(base: str, unit: object) -> str:
    """What a phone's camera reads from the unit's green code: the PNG, decoded."""
    png = httpx.get(f"{base}/units/{unit}/green-code.png")
    assert png.status_code == 200
    assert png.headers["content-type"] == "image/png"
    # A camera app reading QR codes: zxing also finds a spurious 1-D (ITF) code in about one
    # QR code of 1,500 when asked for every format.
    image = Image.open(io.BytesIO(png.content))
    (found,) = zxingcpp.read_barcodes(image, formats=zxingcpp.BarcodeFormat.QRCode)
    assert found.format == zxingcpp.BarcodeFormat.QRCode
    assert found.ec_level == "M"
    text: str = found.text
    return text


def verdict(page: Page) -> str:
    """The page's verdict once the browser has checked the code itself."""
    box = page.locator("#verdict[data-checked=browser]")
    expect(box).to_be_visible(timeout=15_000)
    return box.inner_text()


@pytest.mark.parametrize("viewport", list(VIEWPORTS))
def test_a_person_scans_a_green_code(
    world: World, database_url: str, browser: Browser, viewport: str
) -> None:
    lookup = fill(world)
    with opened_app(world, database_url) as app, serving(app) as base:
        page = browser.new_page(viewport=VIEWPORTS[viewport], device_scale_factor=2)  # type: ignore[arg-type]
        requested: list[str] = []
        page.on("request", lambda request: requested.append(request.url))

        # The park's page shows its green code; a phone decodes the image: a short URL.
        page.goto(f"{base}/units/{lookup.listed}")
        expect(page.locator(".green-code img.qr")).to_be_visible()
        shoot(page, f"green-code-unit-{viewport}", keep=True)
        url = scan(base, lookup.listed)
        assert url.startswith(f"{base.upper()}/V/")
        assert len(url) < 160

        # She opens it: the browser checks the signature itself, and says valid.
        page.goto(url)
        said = verdict(page)
        assert "有效" in said
        assert "valid" in said
        assert "not valid" not in said
        assert "WebCrypto Ed25519" in said
        expect(page.locator("#statement h2")).to_have_text(PARK)
        expect(page.locator("#verdict")).to_have_class("verdict verdict-valid")
        shoot(page, f"green-code-valid-{viewport}", keep=True)

        # One changed character of the signature: not valid, and why.
        reference = parse(urlsplit(url).path.rsplit("/", 1)[1])
        flipped = reference.signature[:5] + bytes([reference.signature[5] ^ 0x10])
        flipped += reference.signature[6:]
        tampered = CodeReference(reference.registered, reference.size, flipped).text()
        page.goto(f"{base}/V/{tampered}")
        said = verdict(page)
        assert "无效" in said
        assert "not valid" in said
        assert "the signature does not match the statement" in said
        expect(page.locator("#verdict")).to_have_class("verdict verdict-invalid")
        shoot(page, f"green-code-tampered-{viewport}", keep=True)

        # A removed park: no green code on its page, and the page says why.
        page.goto(f"{base}/units/{lookup.removed}")
        expect(page.locator(".green-code .no-green-code")).to_contain_text("不出具绿码")
        expect(page.locator(".green-code img.qr")).to_have_count(0)
        shoot(page, f"green-code-removed-{viewport}", keep=True)
        assert httpx.get(f"{base}/units/{lookup.removed}/green-code.png").status_code == 404

        # Everything came from the registry itself.
        assert {urlsplit(u).netloc for u in requested} == {urlsplit(base).netloc}
        page.close()


def test_a_browser_without_webcrypto_ed25519_checks_with_the_vendored_fallback(
    world: World, database_url: str, browser: Browser
) -> None:
    lookup = fill(world)
    with opened_app(world, database_url) as app, serving(app) as base:
        context = browser.new_context(viewport=VIEWPORTS["phone"])  # type: ignore[arg-type]
        context.add_init_script(NO_WEBCRYPTO_ED25519)
        page = context.new_page()
        fetched: list[str] = []
        page.on("request", lambda request: fetched.append(urlsplit(request.url).path))
        url = scan(base, lookup.listed)
        page.goto(url)
        said = verdict(page)
        assert "有效" in said
        assert "noble-ed25519" in said
        assert "/static/noble-ed25519.js" in fetched
        # And the fallback refuses a changed signature too.
        reference = parse(urlsplit(url).path.rsplit("/", 1)[1])
        flipped = reference.signature[:-1] + bytes([reference.signature[-1] ^ 1])
        page.goto(f"{base}/V/{CodeReference(reference.registered, reference.size, flipped).text()}")
        said = verdict(page)
        assert "not valid" in said
        assert "noble-ed25519" in said
        context.close()


def test_a_code_issued_before_the_unit_was_removed_has_expired(
    world: World, database_url: str, browser: Browser
) -> None:
    lookup = fill(world)
    with opened_app(world, database_url) as app, serving(app) as base:
        url = scan(base, lookup.listed)
    remove_park(world, lookup.listed)
    with opened_app(world, database_url) as app, serving(app) as base:
        page = browser.new_page(viewport=VIEWPORTS["phone"], device_scale_factor=2)  # type: ignore[arg-type]
        page.goto(base + urlsplit(url).path)
        said = verdict(page)
        assert "已过期" in said
        assert "expired" in said
        assert "this unit changed after this code was issued" in said
        page.locator("#changed a").click()
        expect(page).to_have_url(f"{base}/units/{lookup.listed}")
        expect(page.locator(".green-code .no-green-code")).to_be_visible()
        page.go_back()
        verdict(page)
        shoot(page, "green-code-expired-phone", keep=True)
        page.close()


def test_a_code_printed_before_the_log_key_was_rotated_still_holds(
    world: World,
    database_url: str,
    browser: Browser,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The registry no longer holds the former log key: the browser checks the code against the
    former key the root declared, and today's log against today's key."""
    declare(world.registry, world.root.signer, world.clock.now)
    lookup = fill(world)
    with opened_app(world, database_url) as app, serving(app) as base:
        url = scan(base, lookup.listed)
    key = tmp_path / "log-2.key"
    key.write_text(private_key_text(Ed25519Signer.generate()))
    key.chmod(0o600)
    monkeypatch.delenv("GREENREG_LOG_KEY_PEM", raising=False)
    monkeypatch.setenv("GREENREG_LOG_KEY", str(key))
    facade = open_greenreg(database_url, clock=world.clock)
    try:
        declare(facade.registry, world.root.signer, world.clock.now, facade.submit)
        facade.projector.catch_up()
        with serving(create_app(facade)) as base:
            page = browser.new_page(viewport=VIEWPORTS["phone"])  # type: ignore[arg-type]
            page.goto(base + urlsplit(url).path)
            said = verdict(page)
            assert "有效" in said
            assert "signed by a former log key the registry's root declared" in said
            reference = parse(urlsplit(url).path.rsplit("/", 1)[1])
            flipped = reference.signature[:-1] + bytes([reference.signature[-1] ^ 1])
            changed = CodeReference(reference.registered, reference.size, flipped).text()
            page.goto(f"{base}/V/{changed}")
            said = verdict(page)
            assert "not valid" in said
            assert "the signature does not match the statement" in said
            page.close()
    finally:
        facade.close()


def test_the_browser_checks_the_witnesses_cosignatures_under_the_published_policy(
    world: World, database_url: str, browser: Browser, tmp_path: Path
) -> None:
    """A registry with a witness policy (one witness of one, on loopback): the page's script
    fetches the policy and the witnessed checkpoint and checks the cosignature itself; until the
    witness cosigns it says so, and a cosignature changed in transit is not valid."""
    declare(world.registry, world.root.signer, world.clock.now)
    lookup = fill(world)
    log = world.registry.recorder
    assert isinstance(log, LogTables)
    assert log.log_signer is not None
    logs = trusted_logs([verifier_key(log.log_origin, log.log_signer.public_key)])
    state = WitnessState(tmp_path / "witness.db")
    witness = Witness("witness.test/only", Ed25519Signer.generate(), logs, state)
    store = open_read_store(database_url)
    try:
        projector = Projector(world.registry, store)
        projector.catch_up()
        with witness_on_loopback(witness) as witness_url:
            config = WitnessConfig((WitnessEndpoint(witness.key, witness_url),), 1)
            facade = Greenreg(world.registry, projector, Queries(store))
            with serving(create_app(facade, witnesses=config)) as base:
                url = base + urlsplit(scan(base, lookup.listed)).path
                page = browser.new_page(viewport=VIEWPORTS["phone"])  # type: ignore[arg-type]
                page.goto(url)
                said = verdict(page)
                assert "有效" in said
                assert "the registry's witnesses have not yet cosigned a checkpoint" in said

                submitter = Submitter(log, config)
                try:
                    assert submitter.run_once() == 1
                finally:
                    submitter.stop()
                page.goto(url)
                said = verdict(page)
                assert "有效" in said
                assert (
                    "is cosigned by the witnesses witness.test/only (1 required by the "
                    "registry's published policy)"
                ) in said

                # The witness's cosignature, one byte changed on its way to the browser.
                def forged(route: Route) -> None:
                    answer = route.fetch().json()
                    note = answer["witnessed"]["checkpoint"]
                    head, _, rest = note.partition("— witness.test/only ")
                    line, _, tail = rest.partition("\n")
                    blob = bytearray(base64.b64decode(line))
                    blob[-1] ^= 1
                    changed = f"{head}— witness.test/only {base64.b64encode(blob).decode()}\n{tail}"
                    answer["witnessed"]["checkpoint"] = changed
                    route.fulfill(json=answer)

                page.route("**/api/v1/log/witnessed*", forged)
                page.goto(url)
                said = verdict(page)
                assert "not valid" in said
                assert "has 0 valid cosignatures of the 1 the registry's published policy" in said
                page.close()
    finally:
        state.close()
        store.close()
