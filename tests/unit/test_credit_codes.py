"""Credit codes are checked by their GB 32100 check character, after the usual clean-up."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from greenreg.errors import CreditCodeError
from greenreg.events.credit_codes import check_credit_code

VECTORS = json.loads(
    (Path(__file__).parents[1] / "data" / "uscc_test_vectors.json").read_text(encoding="utf-8")
)


@pytest.mark.parametrize("code", VECTORS["valid"])
def test_published_valid_codes_pass(code: str) -> None:
    assert check_credit_code(code) == code


@pytest.mark.parametrize("case", VECTORS["invalid"], ids=lambda c: c["code"])
def test_invalid_codes_are_refused(case: dict[str, str]) -> None:
    with pytest.raises(CreditCodeError):
        check_credit_code(case["code"])


@pytest.mark.parametrize("case", VECTORS["normalization"], ids=lambda c: c["note"])
def test_codes_are_normalised_before_the_check(case: dict[str, str]) -> None:
    assert check_credit_code(case["input"]) == case["normalized"]
