"""What a browser receives from the lookup pages: the HTML, its escaping, its errors, its assets.

The same pages as in ``test_browser.py``, asked over HTTP (FastAPI's test client) on SQLite and
on PostgreSQL, without a browser: every case a person can run into, each checked in the markup.
"""

from __future__ import annotations

from collections.abc import Iterator
from html import escape
from uuid import uuid4

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from greenreg import web
from greenreg.errors import SignatureError
from greenreg.receipts import verify_receipt
from greenreg.web.green_code import shanghai_time
from tests.e2e.test_browser import CREDIT_CODE, PARK, Lookup, fill, site
from tests.support import World


@pytest.fixture
def lookup(world: World) -> Lookup:
    return fill(world)


@pytest.fixture
def client(world: World, database_url: str, lookup: Lookup) -> Iterator[TestClient]:
    app, _ = site(world, database_url)
    with TestClient(app) as client:
        yield client


def test_an_empty_search_shows_the_hint_and_the_counts_by_province(client: TestClient) -> None:
    response = client.get("/")
    assert response.status_code == 200
    assert response.headers["content-type"] == "text/html; charset=utf-8"
    html = response.text
    assert "输入园区或企业的名称" in html
    assert "Type the name, a former name" in html
    # Jiangsu has three designations in force (the removed one no longer counts), Shanghai one.
    assert "<th scope=row>江苏省</th><td>3</td>" in html
    assert "<th scope=row>上海市</th><td>1</td>" in html
    assert html.index("江苏省</th>") < html.index("上海市</th>")  # most first
    assert "<svg" in html
    assert 'name="viewport"' in html
    assert "default-src 'none'" in response.headers["content-security-policy"]


def test_a_search_finds_a_park_by_part_of_its_name(client: TestClient, lookup: Lookup) -> None:
    html = client.get("/", params={"q": "苏州工业"}).text
    assert f'<a href="/units/{lookup.listed}">{PARK}</a>' in html
    assert '有效</span> <span class="en" lang="en">Listed' in html
    assert "工信厅节函〔2019〕237号" in html
    assert "2019-10-15" in html


def test_a_search_by_a_former_name_says_what_matched(client: TestClient, lookup: Lookup) -> None:
    html = client.get("/", params={"q": "昆山高新区"}).text
    assert f'<a href="/units/{lookup.renamed}">昆山高新技术产业开发区</a>' in html
    assert "曾用名</span>" in html
    assert "<mark>昆山高新区</mark>" in html


def test_a_search_by_credit_code_finds_the_enterprise(client: TestClient, lookup: Lookup) -> None:
    html = client.get("/", params={"q": CREDIT_CODE.lower()}).text
    assert f'<a href="/units/{lookup.factory}">上海浦东新材料有限公司</a>' in html
    assert "绿色工厂" in html


def test_no_hits_are_said_in_both_languages_and_the_query_is_escaped(
    client: TestClient,
) -> None:
    response = client.get("/", params={"q": "<script>alert(1)</script>"})
    assert response.status_code == 200
    assert "未找到匹配的园区或企业" in response.text
    assert "No park or enterprise matches" in response.text
    assert "<q>&lt;script&gt;alert(1)&lt;/script&gt;</q>" in response.text
    assert 'value="&lt;script&gt;alert(1)&lt;/script&gt;"' in response.text
    assert "<script>alert" not in response.text


def test_no_hits_say_what_the_registry_covers_in_chinese_then_english(
    client: TestClient,
) -> None:
    html = client.get("/", params={"q": "无此企业"}).text
    lookup = client.get("/api/v1/lookup", params={"q": "无此企业"}).json()
    assert lookup["hits"] == []
    # The statement the REST lookup gives, word for word, after the same in Chinese: what the
    # registry holds, what it does not, and that not found here is not "not certified".
    english = html.index(escape(lookup["coverage"], quote=False))
    chinese = html.index(
        "本登记簿仅收录：国家级绿色工厂名单（2019年，1个单位）；国家级"
        "绿色工业园区名单（2019—2020年，2个单位）；江苏省省级绿色工业园区名单（2018—2021年，"
        "2个单位）。"
        "未收录绿色供应链管理企业名单、浙江省绿色低碳工业园区名单、生态工业园区名单、市级名单，"
        "也不含上述年份之后的认定。"
    )
    assert html.index("未找到匹配的园区或企业") < chinese < english
    # What was searched, in both languages.
    assert "现名、曾用名和统一社会信用代码，查找「无此企业」" in html
    assert "the current names, former names and credit codes of every park" in html
    assert "此处未找到，仅表示不在上述名单中，并不表示该单位未获认定。" in html
    # The fragment the script swaps in says the same; a search with hits has no statement.
    assert "本登记簿仅收录" in client.get("/results", params={"q": "无此企业"}).text
    assert "本登记簿" not in client.get("/", params={"q": PARK}).text


def test_data_is_escaped_too(client: TestClient, lookup: Lookup) -> None:
    html = client.get(f"/units/{lookup.hostile}").text
    assert "<h1>绿色&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;园区</h1>" in html
    assert "苏工信&lt;b&gt;&quot;1&quot;&lt;/b&gt;号" in html
    assert "<script>alert" not in html
    assert "<b>" not in html


def test_the_results_fragment_is_what_the_script_swaps_in(
    client: TestClient, lookup: Lookup
) -> None:
    response = client.get("/results", params={"q": PARK})
    assert response.status_code == 200
    assert response.text.startswith("<h2>")
    assert "<html" not in response.text
    assert f"/units/{lookup.listed}" in response.text
    assert "<svg" in client.get("/results").text  # empty: the chart again


def test_a_unit_page_shows_status_timeline_and_green_code(
    client: TestClient, lookup: Lookup
) -> None:
    response = client.get(f"/units/{lookup.removed}")
    assert response.status_code == 200
    html = response.text
    assert "<h1>常熟经济技术开发区</h1>" in html
    assert 'class="badge status-removed"><span>已撤销</span>' in html
    assert "苏工信节能〔2025〕9号" in html
    # The timeline: registered, designated, removed; and the ban the removal started.
    assert html.count('<li class="event-') == 3
    assert html.index("event-UnitRegistered") < html.index("event-Designated")
    assert html.index("event-Designated") < html.index("event-Removed")
    assert "禁止申报" in html
    assert "2025年5月10日" in html
    # Each act on the list says which rules judged it.
    assert "no rule in force in the registry on 2018-03-01" in html
    assert "登记簿中当日没有生效的规则可据以审查此项" in html
    assert '依据当时生效的规则审查：</span> <span class="en" lang="en">judged under 003' in html
    # A removed park may use no title: no green code, and the page says why.
    assert '<img class="qr"' not in html
    assert "该单位目前没有可以使用的称号，不出具绿码。" in html
    for image in ("png", "svg", "json"):
        assert client.get(f"/units/{lookup.removed}/green-code.{image}").status_code == 404
    # A listed park's green code: a QR code of the URL that checks its signed statement.
    html = client.get(f"/units/{lookup.listed}").text
    assert f'<img class="qr" src="/units/{lookup.listed}/green-code.png"' in html
    assert 'class="scan-url" href="HTTP://TESTSERVER/V/' in html
    assert f'href="/units/{lookup.listed}/green-code.json" download' in html
    png = client.get(f"/units/{lookup.listed}/green-code.png")
    assert png.status_code == 200
    assert png.headers["content-type"] == "image/png"
    assert png.content.startswith(b"\x89PNG")
    image = client.get(f"/units/{lookup.listed}/green-code.svg")
    assert image.status_code == 200
    assert image.headers["content-type"] == "image/svg+xml"
    assert image.text.startswith("<svg")
    assert 'xmlns="http://www.w3.org/2000/svg"' in image.text


def test_the_green_code_is_a_signed_statement_anyone_can_verify(
    client: TestClient, world: World, lookup: Lookup
) -> None:
    response = client.get(f"/units/{lookup.listed}/green-code.json")
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/json"
    log_key = world.registry.recorder.log_signer.public_key
    # A receipt file (docs/receipts.md 2.5): the signed statement, kept byte for byte, beside
    # the proof of its log key (none here: this store's key is not declared in its log).
    file = response.json()
    assert set(file) == {"document", "key_id", "log_key"}
    assert file["key_id"] == world.registry.recorder.log_signer.key_id
    statement = verify_receipt(file["document"], log_key)
    assert statement["kind"] == "green_code"
    assert statement["answer"]["name"] == PARK
    (designation,) = statement["answer"]["designations"]
    assert (designation["programme"], designation["jurisdiction"]) == ("green_park", "CN")
    assert designation["status"] == "listed"
    # One changed byte and it no longer verifies.
    with pytest.raises(SignatureError):
        verify_receipt(file["document"].replace(PARK, "苏州工业园园"), log_key)
    # The page shows the same statement (one per unit and checkpoint) as a QR code.
    page = client.get(f"/units/{lookup.listed}").text
    assert "signed by the log key" in page
    issued = shanghai_time(statement["issued_at"])
    assert issued.startswith(statement["issued_at"][:10])
    assert f"{issued} · {world.registry.recorder.log_signer.key_id}" in page


def test_there_is_no_green_code_for_an_unknown_unit(client: TestClient, world: World) -> None:
    before = world.snapshot()
    for name in ("green-code.json", "green-code.svg", "green-code.png"):
        assert client.get(f"/units/{uuid4()}/{name}").status_code == 404
        assert client.get(f"/units/not-a-unit/{name}").status_code == 422
    assert world.snapshot() == before


def test_a_renamed_unit_lists_its_former_name(client: TestClient, lookup: Lookup) -> None:
    html = client.get(f"/units/{lookup.renamed}").text
    assert "<h1>昆山高新技术产业开发区</h1>" in html
    assert "曾用名</span>" in html
    assert "昆山高新区 <small>(" in html


def test_a_credit_code_url_redirects_to_the_unit_page(client: TestClient, lookup: Lookup) -> None:
    response = client.get(f"/units/{CREDIT_CODE}", follow_redirects=False)
    assert response.status_code == 303
    assert response.headers["location"] == f"/units/{lookup.factory}"


@pytest.mark.parametrize(
    "reference",
    [
        "85e2849a-dbb4-454d-a0d7-d304a0817f7e",  # no unit; fixed: parallel runs collect alike
        "not-a-unit",
        "91310115MA1K3BTP2X",
        "<img src=x onerror=alert(1)>",
    ],
)
def test_an_unknown_unit_is_a_404_page(client: TestClient, world: World, reference: str) -> None:
    before = world.snapshot()
    response = client.get(f"/units/{reference}")
    assert response.status_code == 404
    assert "未找到该单位" in response.text
    assert "No such unit" in response.text
    assert "<img" not in response.text
    assert world.snapshot() == before


def test_a_too_long_search_is_refused_and_changes_nothing(client: TestClient, world: World) -> None:
    before = world.snapshot()
    for path in ("/", "/results"):
        response = client.get(path, params={"q": "园" * 101})
        assert response.status_code == 400
        assert "查询内容过长" in response.text
        assert "at most 100 characters" in response.text
    assert world.snapshot() == before


def test_the_assets_are_served_by_the_app_and_cached(client: TestClient) -> None:
    html = client.get("/").text
    for name, media_type in (("web.css", "text/css"), ("search.js", "text/javascript")):
        start = html.index(f"/static/{name}?v=")
        url = html[start : html.index('"', start)]
        response = client.get(url)
        assert response.status_code == 200
        assert response.headers["content-type"].startswith(media_type)
        assert "immutable" in response.headers["cache-control"]
    assert client.get("/static/missing.css").status_code == 404
    assert client.get("/static/..%2Fhtml.py").status_code == 404


def test_the_lookup_page_is_light_enough_for_a_phone(client: TestClient) -> None:
    """The whole first load (page, stylesheet, script), uncompressed, under 20 KB."""
    html = client.get("/").text
    sizes = [len(html.encode())]
    for name in ("web.css", "search.js"):
        start = html.index(f"/static/{name}")
        sizes.append(len(client.get(html[start : html.index('"', start)]).content))
    assert sum(sizes) < 20_000, sizes


def test_without_a_registry_the_green_code_is_the_page_address(
    world: World, database_url: str, lookup: Lookup
) -> None:
    _, queries = site(world, database_url)
    app = FastAPI()
    app.include_router(web.router(queries, public_url="https://greenreg.example/"))
    with TestClient(app) as client:
        html = client.get(f"/units/{lookup.listed}").text
        assert client.get(f"/units/{lookup.listed}/green-code.json").status_code == 404
        assert client.get(f"/units/{lookup.listed}/green-code.svg").status_code == 404
    assert f">https://greenreg.example/units/{lookup.listed}</a>" in html
    assert "not signed" in html


def test_a_search_of_punctuation_only_is_refused_in_both_languages(
    client: TestClient, world: World
) -> None:
    before = world.snapshot()
    response = client.get("/", params={"q": "（）"})
    assert response.status_code == 400
    assert "无法查询" in response.text
    assert "The search could not be run" in response.text
    assert 'value="（）"' in response.text  # the form keeps what was typed
    assert world.snapshot() == before
