"""Credit codes are checked by their GB 32100 check character, after the usual clean-up."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st
from stdnum.cn import uscc

from greenreg.errors import CreditCodeError
from greenreg.events.credit_codes import ALPHABET, WEIGHTS, check_character, check_credit_code

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


WELL_FORMED = st.builds(
    lambda head, tail: head + tail,
    st.text(alphabet="0123456789", min_size=8, max_size=8),
    st.text(alphabet=ALPHABET, min_size=10, max_size=10),
)


@given(WELL_FORMED)
def test_the_quick_check_answers_as_stdnum_does(code: str) -> None:
    """A well-formed code is accepted without stdnum's clean-up exactly when stdnum accepts
    it, right check character or wrong; the rest goes to stdnum whole."""
    right = code[:17] + uscc.calc_check_digit(code[:17])
    assert check_character(code) == uscc.calc_check_digit(code)
    assert check_credit_code(right) == uscc.validate(right) == right
    if code != right:
        with pytest.raises(CreditCodeError, match="check character"):
            check_credit_code(code)


def test_the_quick_check_uses_gb_32100s_alphabet_and_weights() -> None:
    assert uscc._alphabet == ALPHABET
    assert tuple(pow(3, place, 31) for place in range(17)) == WEIGHTS
