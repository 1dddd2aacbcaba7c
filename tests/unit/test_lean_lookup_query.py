"""Which lookup questions the front layer answers itself (``greenreg.api.units.plain_lookup``):
those the lookup's route takes as they are, read as the route reads them (Starlette's query
parsing, Latin-1); every other query goes to the route, which answers or refuses it."""

from __future__ import annotations

from urllib.parse import quote

import pytest

from greenreg.api.units import Lookup, plain_lookup


@pytest.mark.parametrize(
    ("query", "asked"),
    [
        (f"q={quote('苏州')}", Lookup("苏州", 20)),  # percent-escaped UTF-8, 20 hits unless told
        (f"q={quote('苏州')}&limit=5", Lookup("苏州", 5)),
        (f"limit=100&q={quote('苏州 工业')}", Lookup("苏州 工业", 100)),
        ("q=a+b", Lookup("a b", 20)),  # '+' is a space, as in any form
        ("q=x&", Lookup("x", 20)),  # an empty piece is no parameter
        ("q=" + "x" * 200, Lookup("x" * 200, 20)),
        ("q=%00", Lookup("\x00", 20)),  # the read refuses it, as the route's read does
    ],
)
def test_a_question_the_route_takes_as_it_is(query: str, asked: Lookup) -> None:
    assert plain_lookup(query) == asked


@pytest.mark.parametrize(
    "query",
    [
        "",
        "q=",  # the route refuses an empty text
        "q=" + "x" * 201,  # and one too long
        "limit=5",  # and a question without one
        "q=a&limit=0",
        "q=a&limit=101",
        "q=a&limit=",
        "q=a&limit=05",  # read as 5 by the route, maybe; not guessed here
        "q=a&limit=+5",
        "q=a&limit=%205",
        "q=a&limit=5.0",
        "q=a&limit=%EF%BC%95",  # a full-width digit
        "q=a&q=b",  # twice: the route reads the last
        "q=a&limit=5&limit=6",
        "q=a&receipt=true",  # a signed receipt: the route
        "q=a&receipt=false",
        "q=a&other=1",
        "Q=a",
    ],
)
def test_any_other_question_goes_to_the_route(query: str) -> None:
    assert plain_lookup(query) is None
