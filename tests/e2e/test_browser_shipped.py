"""The lookup page over the shipped MIIT lists, in a real browser, as ``greenreg serve`` runs it.

The shipped national lists (2017-2021, about 3,300 units) are loaded into a fresh SQLite store
exactly as a first ``greenreg serve`` does (PostgreSQL is covered by the other browser and page
tests; loading the lists twice would double the suite's longest setup). A person looks up a
real park by name, opens its page and reads its status; another park, removed in 2018, says so.

The README's two screenshots come from this test: run it with ``GREENREG_UPDATE_SCREENSHOTS=1``
to refresh ``docs/screenshots/lookup.png`` and ``docs/screenshots/unit.png``.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi import FastAPI
from playwright.sync_api import Browser, expect

from greenreg import web
from greenreg.api import create_app
from greenreg.bootstrap import open_greenreg
from greenreg.importer.loading import load_shipped_lists
from tests.e2e.test_browser import chromium, mounts_the_pages, serving, shoot

PARK = "苏州工业园区"  # national green park, first batch (工信厅节函〔2017〕491号)
REMOVED = "江苏省泰兴经济开发区"  # second batch, removed with the third (工信厅节函〔2018〕341号)


@pytest.fixture(scope="module")
def shipped_app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[FastAPI]:
    folder = tmp_path_factory.mktemp("shipped")
    facade = open_greenreg(f"sqlite:///{folder / 'greenreg.db'}")
    try:
        assert load_shipped_lists(facade, folder / "keys") is not None
        app = create_app(facade)
        if not mounts_the_pages(app):
            app.include_router(web.router(facade.queries, registry=facade.registry))
        yield app
    finally:
        facade.close()


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    with chromium() as launched:
        yield launched


def test_a_person_looks_up_a_shipped_park(shipped_app: FastAPI, browser: Browser) -> None:
    with serving(shipped_app) as base:
        page = browser.new_page(viewport={"width": 390, "height": 844}, device_scale_factor=2)

        # The counts by province: the national lists reach (nearly) every province.
        page.goto(base + "/")
        bars = page.locator("#results figure.chart svg g")
        expect(bars.first).to_be_visible()
        assert bars.count() >= 25
        shoot(page, "lookup", keep=True)

        # She types the park's name and opens its page from the results.
        page.locator("#q").press_sequentially(PARK, delay=30)
        hit = page.locator(".hit h3 a", has_text=PARK).first
        expect(hit).to_be_visible()
        shoot(page, "lookup-shipped-results")
        hit.click()
        expect(page.locator("h1")).to_have_text(PARK)

        # Listed, national, green industrial park, since the first batch's notice.
        row = page.locator("table.designations tbody tr", has_text="绿色工业园区").first
        expect(row.locator("td").nth(0)).to_have_text("有效 Listed")
        expect(row.locator("td").nth(1)).to_have_text("国家级 National")
        expect(row.locator("td").nth(3)).to_have_text("2017-08-23")
        expect(row.locator("td").nth(4)).to_have_text("工信厅节函〔2017〕491号")
        expect(page.locator(".green-code img.qr")).to_be_visible()
        assert page.locator(".green-code img.qr").evaluate("image => image.naturalWidth") > 0
        shoot(page, "unit", keep=True)

        # A park removed in 2018 says so on its page.
        page.goto(base + "/?q=泰兴经济开发区")
        page.locator(".hit h3 a", has_text=REMOVED).first.click()
        expect(page.locator("h1")).to_have_text(REMOVED)
        removed = page.locator("table.designations tbody tr", has_text="绿色工业园区").first
        expect(removed.locator("td").nth(0)).to_have_text("已撤销 Removed")
        page.close()


def test_the_screenshots_the_readme_shows_exist() -> None:
    folder = Path(__file__).parents[2] / "docs" / "screenshots"
    for name in ("lookup.png", "unit.png"):
        assert (folder / name).read_bytes().startswith(b"\x89PNG"), name
