"""Lists as CSV cannot carry a formula into a clerk's spreadsheet (OWASP's CSV injection rule).

An authority's act names a unit, a document and a batch; any of them may start with ``=``,
``+``, ``-`` or ``@``, which a spreadsheet reads as the start of a formula. Every such cell of a
CSV the registry writes starts with ``'`` instead; the JSON answer carries the text as it is.
(A tab or carriage return, the other two formula starts, never gets into a stored act: the act
reader refuses control characters, ``greenreg.events.text``; the writer's own unit test covers
them.)
"""

from __future__ import annotations

import csv
import io

import pytest
from fastapi.testclient import TestClient

from tests.e2e.support import facade_of
from tests.support import World

# (unit name, document number, batch), each starting with one of the four formula characters
# an act may hold
DANGEROUS = [
    ('=HYPERLINK("http://example.com/x","苏州园区")', "-1", "@SUM(1+1)"),
    ("+86 绿色工厂", "=1+1", "-2"),
    ("@某园区", "+1", "=A1"),
]


@pytest.fixture
def listed(client: TestClient, world: World) -> list[tuple[str, str, str]]:
    facade = facade_of(client)  # writes through the facade: the read models follow
    for name, document, batch in DANGEROUS:
        act = world.act(
            "js-eit",
            "register_unit",
            effective_date="2017-01-01",
            kind="park",
            name=name,
            credit_code=None,
            division="320505",
        )
        park = facade.submit(act).subject_id
        designate = world.act(
            "js-eit",
            "designate",
            unit=str(park),
            effective_date="2020-01-01",
            document=document,
            programme="green_park",
            jurisdiction="320000",
            batch=batch,
            grade=None,
        )
        facade.submit(designate)
    return DANGEROUS


def test_a_list_as_csv_neutralises_every_formula_start(
    client: TestClient, listed: list[tuple[str, str, str]]
) -> None:
    response = client.get("/api/v1/lists/green_park", params={"format": "csv"})

    assert response.status_code == 200
    rows = list(csv.DictReader(io.StringIO(response.text.removeprefix("\ufeff"), newline="")))
    cells = sorted((r["unit_name"], r["document_number"], r["batch"]) for r in rows)
    assert cells == sorted(
        ("'" + name, "'" + document, "'" + batch) for name, document, batch in listed
    )
    # The document number -1 is written '-1: the text after the one quote, unchanged.
    assert [c[1] for c in cells if c[1].endswith("-1")] == ["'-1"]
    # The JSON answer carries the text as it is.
    items = client.get("/api/v1/lists/green_park").json()["items"]
    assert sorted((i["unit_name"], i["document_number"], i["batch"]) for i in items) == sorted(
        listed
    )
