"""The API's documentation in a real browser with the network cut: Swagger UI, ReDoc, GraphiQL.

Headless Chromium may reach the registry on its loopback port and nothing else: every other
request is aborted and recorded. Each page must render from the registry's own assets (see
:mod:`greenreg.api.docs`), and GraphiQL must run a query against the registry.
"""

from __future__ import annotations

from collections.abc import Iterator
from urllib.parse import urlparse

import pytest
from playwright.sync_api import Browser, Page, Route, expect

from greenreg.api import create_app
from greenreg.bootstrap import open_greenreg
from tests.e2e.support import populate
from tests.e2e.test_browser import chromium, serving, shoot
from tests.support import World


@pytest.fixture
def browser() -> Iterator[Browser]:
    with chromium() as launched:
        yield launched


@pytest.fixture
def base(world: World, database_url: str) -> Iterator[str]:
    facade = open_greenreg(database_url, clock=world.clock)
    populate(facade, world)
    try:
        with serving(create_app(facade)) as url:
            yield url
    finally:
        facade.close()


class Offline:
    """A page that may reach only the registry: any other request is aborted, and kept."""

    def __init__(self, browser: Browser, base: str) -> None:
        self.host = urlparse(base).netloc
        self.blocked: list[str] = []
        self.errors: list[str] = []
        self.page = browser.new_page(viewport={"width": 1280, "height": 900})
        self.page.route("**/*", self.only_loopback)
        self.page.on("pageerror", lambda error: self.errors.append(str(error)))

    def only_loopback(self, route: Route) -> None:
        url = route.request.url
        if urlparse(url).netloc == self.host or url.startswith("data:"):
            route.continue_()
        else:
            self.blocked.append(url)
            route.abort("internetdisconnected")


@pytest.fixture
def offline(browser: Browser, base: str) -> Iterator[Offline]:
    session = Offline(browser, base)
    try:
        yield session
    finally:
        session.page.close()


def test_swagger_ui_renders_every_operation_offline(base: str, offline: Offline) -> None:
    page: Page = offline.page
    page.goto(base + "/docs")
    # Swagger UI fetches and renders the whole document before it shows anything: on a busy
    # machine (the suite's processes, their servers and browsers on two cores) more than the
    # 5 s an expectation waits by default.
    expect(page.locator(".information-container .title")).to_contain_text(
        "greenreg", timeout=60_000
    )
    operations = page.locator(".opblock")
    expect(operations.first).to_be_visible()
    assert operations.count() >= 25
    expect(
        page.locator(".opblock-summary-path", has_text="/api/v1/units/{ref}").first
    ).to_be_visible()

    # An operation opens on its answer's schema and example, and its refusals as problems.
    page.locator(".opblock-summary", has_text="/api/v1/certifications").first.click()
    answers = page.locator(".opblock.is-open .responses-table")
    expect(answers).to_contain_text("application/problem+json")
    expect(answers).to_contain_text('"outcome": "certified"')
    shoot(page, "docs-swagger-offline", keep=True)
    assert offline.blocked == []
    assert offline.errors == []


def test_redoc_renders_offline_without_a_web_font(base: str, offline: Offline) -> None:
    page = offline.page
    requested: list[str] = []
    page.on("request", lambda request: requested.append(request.url))
    failures: dict[str, str | None] = {}
    page.on("requestfailed", lambda request: failures.update({request.url: request.failure}))
    page.goto(base + "/redoc")
    # ReDoc renders the whole document before it shows anything: on a busy machine, slowly.
    expect(page.locator("h1").first).to_contain_text("greenreg", timeout=60_000)
    bank_check = page.locator("h2", has_text="The bank check: was each unit certified")
    expect(bank_check).to_be_attached()
    expect(page.locator("[data-section-id^='operation/']").first).to_be_attached()
    expect(page.get_by_text("API docs by Redocly")).to_be_attached()
    shoot(page, "docs-redoc-offline", keep=True)
    # No web font is asked for; the sidebar's logo (from cdn.redoc.ly) is stopped by the page's
    # policy in the browser, before any network.
    assert not [url for url in requested if "font" in url]
    elsewhere = [url for url in requested if urlparse(url).netloc != offline.host]
    assert elsewhere == ["https://cdn.redoc.ly/redoc/logo-mini.svg"]
    assert [failures.get(url) for url in elsewhere] == ["csp"]
    assert offline.blocked == []
    assert offline.errors == []


def test_graphiql_renders_offline_and_runs_a_query(base: str, offline: Offline) -> None:
    page = offline.page
    page.goto(base + "/graphql")
    editor = page.locator(".graphiql-query-editor")
    expect(editor).to_be_visible(timeout=60_000)  # its bundle loads first, as above
    expect(editor).to_contain_text("checkpoint")
    page.locator(".graphiql-execute-button").click()
    result = page.locator(".graphiql-response")
    expect(result).to_contain_text('"size": ')
    expect(result).to_contain_text("苏州工业园区绿色发展区")
    shoot(page, "docs-graphiql-offline", keep=True)
    assert offline.blocked == []
    assert offline.errors == []


def test_the_test_blocks_what_is_not_the_registry(base: str, offline: Offline) -> None:
    """The network cut is real: a page asking a CDN gets nothing, and the request is kept (a
    page without the docs' policy, which would stop the request in the browser itself)."""
    offline.page.goto(base + "/openapi.json")
    loaded = offline.page.evaluate(
        """() => fetch("https://unpkg.com/react@18.2.0/umd/react.production.min.js")
            .then(() => true, () => false)"""
    )
    assert loaded is False
    assert offline.blocked == ["https://unpkg.com/react@18.2.0/umd/react.production.min.js"]
