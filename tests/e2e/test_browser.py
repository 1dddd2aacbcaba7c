"""The lookup page in a real browser: a person types a park's name and checks its status.

Headless Chromium (Debian's ``/usr/bin/chromium``, driven by Playwright) talks over real HTTP
to uvicorn on a loopback port, serving the registry's web pages from a real database filled
with really signed acts. Screenshots go to ``tests/e2e/artefacts/`` (not committed).
"""

from __future__ import annotations

import os
import shutil
import socket
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlparse
from uuid import UUID

import pytest
import uvicorn
from fastapi import FastAPI
from playwright.sync_api import Browser, Page, expect, sync_playwright
from starlette.routing import NoMatchFound

from greenreg import web
from greenreg.api import create_app
from greenreg.bootstrap import Greenreg, open_read_store
from greenreg.projections.queries import Queries
from greenreg.projections.runner import Projector
from tests.support import World

CHROMIUM = "/usr/bin/chromium"
ARTEFACTS = Path(__file__).parent / "artefacts"
SCREENSHOTS = Path(__file__).parents[2] / "docs" / "screenshots"

PARK = "苏州工业园区"
CREDIT_CODE = "91310115MA1K3BTP2B"
HOSTILE = '绿色<script>alert("x")</script>园区'


@dataclass(frozen=True)
class Lookup:
    """The units of the lookup stories, by what they show."""

    listed: UUID  # 苏州工业园区: a national green park, listed
    removed: UUID  # 常熟经济技术开发区: a provincial green park, removed in 2025 (003 in force)
    renamed: UUID  # 昆山高新技术产业开发区, formerly 昆山高新区: a national green park
    hostile: UUID  # a park whose name is an attempt at script injection
    factory: UUID  # an enterprise with a credit code, a national green factory


def fill(world: World) -> Lookup:
    """Four parks and a factory, their designations, a rename and a removal, all signed."""
    listed = world.register("miit", PARK, "320576")
    world.submit(
        "miit",
        "designate",
        effective_date="2019-10-15",
        document="工信厅节函〔2019〕237号",
        unit=str(listed),
        programme="green_park",
        jurisdiction="CN",
        batch="第四批",
    )
    removed = world.register("js-eit", "常熟经济技术开发区", "320581")
    world.submit(
        "js-eit",
        "designate",
        effective_date="2018-03-01",
        document="苏工信节能〔2018〕12号",
        unit=str(removed),
        programme="green_park",
        jurisdiction="320000",
    )
    world.submit(
        "js-eit",
        "remove",
        effective_date="2025-05-10",
        document="苏工信节能〔2025〕9号",
        unit=str(removed),
        programme="green_park",
        jurisdiction="320000",
        ground="no_longer_meets_standard",
    )
    renamed = world.register("miit", "昆山高新区", "320583")
    world.submit(
        "miit",
        "designate",
        effective_date="2020-11-02",
        document="工信厅节函〔2020〕295号",
        unit=str(renamed),
        programme="green_park",
        jurisdiction="CN",
        batch="第五批",
    )
    world.submit(
        "miit",
        "rename",
        effective_date="2022-03-01",
        unit=str(renamed),
        new_name="昆山高新技术产业开发区",
        reported_on="2022-03-10",
    )
    hostile = world.register("js-eit", HOSTILE, "320505")
    world.submit(
        "js-eit",
        "designate",
        effective_date="2021-01-05",
        document='苏工信<b>"1"</b>号',
        unit=str(hostile),
        programme="green_park",
        jurisdiction="320000",
    )
    factory = world.register(
        "miit", "上海浦东新材料有限公司", "310115", kind="enterprise", credit_code=CREDIT_CODE
    )
    world.submit(
        "miit",
        "designate",
        effective_date="2019-10-15",
        document="工信厅节函〔2019〕237号",
        unit=CREDIT_CODE,
        programme="green_factory",
        jurisdiction="CN",
        batch="第四批",
    )
    return Lookup(listed, removed, renamed, hostile, factory)


def site(world: World, database_url: str) -> tuple[FastAPI, Queries]:
    """The registry's app over the world's database, read models caught up, pages mounted."""
    store = open_read_store(database_url)
    projector = Projector(world.registry, store)
    projector.catch_up()
    facade = Greenreg(world.registry, projector, Queries(store))
    app = create_app(facade)
    if not mounts_the_pages(app):
        app.include_router(web.router(facade.queries, registry=facade.registry))
    return app, facade.queries


def mounts_the_pages(app: FastAPI) -> bool:
    """Whether ``create_app`` already includes the web pages (once the lead mounts them)."""
    try:
        app.url_path_for("unit_page", reference="x")
    except NoMatchFound:
        return False
    return True


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@contextmanager
def serving(app: FastAPI) -> Iterator[str]:
    """Run ``app`` with uvicorn on a free loopback port in a thread; yield its base URL."""
    port = free_port()
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    try:
        while not server.started:
            if not thread.is_alive():
                raise RuntimeError("uvicorn did not start")
            threading.Event().wait(0.02)
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)


def green_code_loaded(page: Page) -> None:
    """Wait until the green code's image (loaded lazily, below the fold) is drawn."""
    page.locator(".green-code img.qr").scroll_into_view_if_needed()
    page.wait_for_function(
        "() => { const image = document.querySelector('.green-code img.qr');"
        " return image !== null && image.complete && image.naturalWidth > 0; }"
    )


def shoot(page: Page, name: str, keep: bool = False) -> None:
    """A full-page screenshot in the artefacts; ``keep``: also the README's copy."""
    ARTEFACTS.mkdir(exist_ok=True)
    path = ARTEFACTS / f"{name}.png"
    page.screenshot(path=path, full_page=True)
    if keep and os.environ.get("GREENREG_UPDATE_SCREENSHOTS") == "1":
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(path, SCREENSHOTS / path.name)


@contextmanager
def chromium() -> Iterator[Browser]:
    """Debian's headless Chromium under Playwright (its own browser download is not used)."""
    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} is missing: install Debian's chromium package (.ci/run does)")
    with sync_playwright() as driver:
        launched = driver.chromium.launch(executable_path=CHROMIUM)
        try:
            yield launched
        finally:
            launched.close()


@pytest.fixture
def browser() -> Iterator[Browser]:
    with chromium() as launched:
        yield launched


def test_a_person_looks_up_a_park(world: World, database_url: str, browser: Browser) -> None:
    lookup = fill(world)
    app, _ = site(world, database_url)
    with serving(app) as base:
        # A phone-sized window; every request the page makes is recorded.
        page = browser.new_page(viewport={"width": 390, "height": 844}, device_scale_factor=2)
        requested: list[str] = []
        page.on("request", lambda request: requested.append(request.url))
        dialogs: list[str] = []
        page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))

        # The empty lookup page: a hint and the counts by province (Jiangsu has 3 in force).
        page.goto(base + "/")
        expect(page.locator(".hint")).to_contain_text("Type the name")
        expect(page.locator("#results figure.chart svg")).to_be_visible()
        expect(page.locator("#results figure.chart svg")).to_contain_text("江苏")
        shoot(page, "lookup")

        # She types part of the park's name: results appear as she types (no submit).
        page.locator("#q").press_sequentially("苏州工业", delay=30)
        hit = page.locator(".hit h3 a", has_text=PARK)
        expect(hit).to_be_visible()
        expect(page).to_have_url(f"{base}/?q=%E8%8B%8F%E5%B7%9E%E5%B7%A5%E4%B8%9A")
        expect(page.locator(".hit").first).to_contain_text("有效 Listed")
        shoot(page, "lookup-results")

        # She opens the park's page: it is listed, as a national green industrial park.
        hit.click()
        expect(page).to_have_url(f"{base}/units/{lookup.listed}")
        expect(page.locator("h1")).to_have_text(PARK)
        row = page.locator("table.designations tbody tr").first
        expect(row.locator("td").nth(0)).to_have_text("有效 Listed")
        expect(row.locator("td").nth(1)).to_have_text("国家级 National")
        expect(row.locator("td").nth(2)).to_have_text("绿色工业园区 Green industrial park")
        expect(row.locator("td").nth(4)).to_have_text("工信厅节函〔2019〕237号")
        expect(page.locator(".timeline li")).to_have_count(2)
        expect(page.locator(".green-code img.qr")).to_be_visible()
        green_code_loaded(page)
        shoot(page, "unit")

        # The removed park says so.
        page.goto(f"{base}/?q=常熟")
        page.locator(".hit h3 a").first.click()
        expect(page.locator("table.designations tbody tr td").first).to_have_text("已撤销 Removed")

        # A name that is an attempt at script injection is shown as text, never run.
        page.goto(f"{base}/units/{lookup.hostile}")
        expect(page.locator("h1")).to_have_text(HOSTILE)
        assert dialogs == []

        # Everything came from the registry itself: no CDN, no web font, no third party.
        assert requested
        assert {urlparse(url).netloc for url in requested} == {urlparse(base).netloc}
        page.close()


def test_the_form_works_without_javascript(
    world: World, database_url: str, browser: Browser
) -> None:
    lookup = fill(world)
    app, _ = site(world, database_url)
    with serving(app) as base:
        context = browser.new_context(java_script_enabled=False)
        page = context.new_page()
        page.goto(base + "/")

        # A former name, submitted with the Enter key: a plain GET /?q=...
        page.locator("#q").fill("昆山高新区")
        page.locator("#q").press("Enter")
        expect(page).to_have_url(f"{base}/?q=%E6%98%86%E5%B1%B1%E9%AB%98%E6%96%B0%E5%8C%BA")
        hit = page.locator(".hit").first
        expect(hit.locator("h3 a")).to_have_text("昆山高新技术产业开发区")
        expect(hit.locator(".match")).to_contain_text("曾用名 former name")
        expect(hit.locator(".match mark")).to_have_text("昆山高新区")

        hit.locator("h3 a").click()
        expect(page).to_have_url(f"{base}/units/{lookup.renamed}")
        expect(page.locator(".facts")).to_contain_text("昆山高新区")

        # Nothing found: said in both languages.
        page.goto(f"{base}/?q=没有这个园区")
        expect(page.locator(".none")).to_contain_text("未找到")
        expect(page.locator(".none")).to_contain_text("No park or enterprise matches")
        shoot(page, "lookup-no-results")
        context.close()
