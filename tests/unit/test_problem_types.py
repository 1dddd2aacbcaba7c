"""Every refusal code has its problem type: a title that does not change, and a page."""

from __future__ import annotations

from fastapi import FastAPI
from fastapi.testclient import TestClient

import greenreg.api.app  # noqa: F401 (every module that declares an error, imported)
from greenreg.api.problems import TITLES, problem_types_router
from greenreg.errors import GreenregError


def codes_of(kind: type[GreenregError]) -> set[str]:
    found = {kind.code}
    for sub in kind.__subclasses__():
        found |= codes_of(sub)
    return found


def test_every_error_code_has_a_title() -> None:
    codes = codes_of(GreenregError)
    assert {"bad_reference", "malformed_json", "invalid_entries", "out_of_range"} <= codes
    assert codes - set(TITLES) == set()


def test_a_problem_type_names_a_page_that_says_what_it_means() -> None:
    app = FastAPI()
    app.include_router(problem_types_router())
    client = TestClient(app)
    page = client.get("/problems/bad_reference")
    assert page.status_code == 200
    assert "The path names no unit or evaluator" in page.text
    assert '"code": "bad_reference"' in page.text
    assert client.get("/problems/no_such_code").status_code == 404
