"""The lookup page over the shipped MIIT lists, in a real browser, as ``greenreg serve`` runs it.

The shipped national lists (2017-2021, about 3,300 units) are loaded into a fresh SQLite store
exactly as a first ``greenreg serve`` does (PostgreSQL is covered by the other browser and page
tests; loading the lists twice would double the suite's longest setup). A person looks up a
real park by name, opens its page and reads its status; another park, removed in 2018, says so.

On a phone (390x844) and a desktop (1280x800) viewport. The README's screenshots come from this
test: run it with ``GREENREG_UPDATE_SCREENSHOTS=1`` to refresh ``docs/screenshots/*.png``.
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
from tests.e2e.test_browser import chromium, green_code_loaded, mounts_the_pages, serving, shoot

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


VIEWPORTS = {"phone": (390, 844), "desktop": (1280, 800)}
SHOTS = ("lookup", "results", "unit", "removed", "miss")
"""The README's screenshots: ``docs/screenshots/{shot}-{device}.png``."""


@pytest.mark.parametrize("device", VIEWPORTS)
def test_a_person_looks_up_a_shipped_park(
    shipped_app: FastAPI, browser: Browser, device: str
) -> None:
    width, height = VIEWPORTS[device]
    with serving(shipped_app) as base:
        page = browser.new_page(viewport={"width": width, "height": height}, device_scale_factor=2)

        # The home page says what the registry covers, then the counts by province: the
        # national lists reach (nearly) every province.
        page.goto(base + "/")
        coverage = page.locator("section.coverage")
        expect(coverage).to_contain_text("本登记簿收录：国家级绿色工厂名单（2017—2022年")
        expect(coverage).to_contain_text("未收录浙江省绿色低碳工业园区名单")
        expect(coverage).to_contain_text("The registry covers only")
        bars = page.locator("#results figure.chart svg g")
        expect(bars.first).to_be_visible()
        assert bars.count() >= 25
        shoot(page, f"lookup-{device}", keep=True)

        # She types the park's name; the hit says at once whether it holds a usable title.
        page.locator("#q").press_sequentially(PARK, delay=30)
        hit = page.locator(".hit", has=page.locator("h3 a", has_text=PARK)).first
        expect(hit).to_be_visible()
        expect(hit.locator(".certified")).to_have_text(
            "目前持有可使用的称号 Holds a title it may use now"
        )
        shoot(page, f"results-{device}", keep=True)
        hit.locator("h3 a").click()
        expect(page.locator("h1")).to_have_text(PARK)

        # Listed, national, green industrial park, since the first batch's notice; signed by
        # the transcriber, not by MIIT, and the page says so.
        row = page.locator("table.designations tbody tr", has_text="绿色工业园区").first
        expect(row.locator("td").nth(0)).to_have_text("有效 Listed")
        expect(row.locator("td").nth(1)).to_have_text("国家级 National")
        expect(row.locator("td").nth(3)).to_have_text("2017年8月23日")
        expect(row.locator("td").nth(4)).to_have_text("工信厅节函〔2017〕491号")
        expect(row.locator("td").nth(9)).to_contain_text("转录方（非工业和信息化部）")
        expect(row.locator("td").nth(9)).to_contain_text("not signed by MIIT")
        # The timeline in Chinese sentences, places by name, record times in Beijing time.
        timeline = page.locator("ol.timeline")
        expect(timeline).to_contain_text("2017年8月23日 登记为园区：苏州工业园区，位于江苏省")
        expect(timeline).to_contain_text("列入第一批绿色工业园区名单（工业和信息化部）")
        expect(timeline).to_contain_text("（北京时间）")
        expect(timeline).not_to_contain_text("registered as park")
        expect(page.locator("footer")).not_to_contain_text("signed by the authority that issued")
        expect(page.locator(".green-code img.qr")).to_be_visible()
        green_code_loaded(page)
        shoot(page, f"unit-{device}", keep=True)

        # A park removed in 2018 says so on its page, and gets no green code.
        page.goto(base + "/?q=泰兴经济开发区")
        page.locator(".hit h3 a", has_text=REMOVED).first.click()
        expect(page.locator("h1")).to_have_text(REMOVED)
        removed = page.locator("table.designations tbody tr", has_text="绿色工业园区").first
        expect(removed.locator("td").nth(0)).to_have_text("已撤销 Removed")
        expect(page.locator("ol.timeline")).to_contain_text(
            "移出绿色工业园区名单（工业和信息化部），理由：动态调整（不再符合要求）"
        )
        expect(page.locator(".green-code img.qr")).to_have_count(0)
        expect(page.locator(".no-green-code")).to_contain_text("不出具绿码")
        shoot(page, f"removed-{device}", keep=True)

        # A miss says what was searched and what the registry covers: not "not certified".
        page.goto(base + "/?q=无此绿色企业")
        expect(page.locator(".none")).to_contain_text("未找到匹配的园区或企业")
        expect(page.locator(".searched")).to_contain_text("查找「无此绿色企业」")
        expect(page.locator("p.coverage")).to_contain_text("并不表示该单位未获认定")
        shoot(page, f"miss-{device}", keep=True)
        page.close()


def test_the_screenshots_the_readme_shows_exist() -> None:
    root = Path(__file__).parents[2]
    readme = (root / "README.md").read_text(encoding="utf-8")
    for shot in SHOTS:
        for device in VIEWPORTS:
            name = f"docs/screenshots/{shot}-{device}.png"
            assert (root / name).read_bytes().startswith(b"\x89PNG"), name
    for shot in ("lookup", "unit", "removed", "miss"):
        assert f"docs/screenshots/{shot}-phone.png" in readme, shot
