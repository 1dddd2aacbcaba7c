"""Any query string of ``GET /api/v1/lookup`` gets the same answer from the front layer's lean
path as from the FastAPI route: the lean path answers only what the route would take as it is,
and whatever it declines the route answers. Query strings are made of parameters whose names,
values and separators change how a query is read (escapes, pluses, numbers written otherwise,
a parameter twice, texts too long)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from greenreg.storage.log_key import declare
from tests.e2e.support import populate
from tests.integration.test_lean_reads import Pair, apps, same
from tests.support import World

TEXTS = [
    "苏州", "工业园区", "苏州工业园区", "%E8%8B%8F%E5%B7%9E", "%e5%b7%9e", "+", "%20", " ", "%00",
    "%2B", "%26", "%3D", "=", "", "x" * 200, "x" * 201, "91320505MA1P7XQC3C", "１", "ｑ",
]  # fmt: skip
NUMBERS = ["0", "1", "05", "20", "100", "101", "1000", "-1", "1e2", "１", "+1", " 1", "1%20", ""]
NAMES = ["q", "limit", "receipt", "Q", "q%3D", "", "x", "ｑ", "q ", "lim%69t", "q+"]
PARAMETER = st.one_of(
    st.tuples(st.just("q="), st.sampled_from(TEXTS)),
    st.tuples(st.just("limit="), st.sampled_from(NUMBERS)),
    st.tuples(st.just("q=苏州&limit="), st.sampled_from(NUMBERS)),
    st.tuples(st.sampled_from(NAMES), st.sampled_from(["=", "", "=="]), st.sampled_from(TEXTS)),
    st.tuples(st.just("receipt="), st.sampled_from(["true", "false", "1", ""])),
).map("".join)
QUERY = st.tuples(
    st.lists(PARAMETER, min_size=1, max_size=4),
    st.sampled_from(["&", ";", "&&"]),
    st.booleans(),
).map(lambda parts: parts[1].join(sorted(parts[0]) if parts[2] else parts[0]))
"""Parameters joined, in the order drawn or sorted (``limit`` before ``q``, ``q`` before
``receipt``)."""


@pytest.fixture
def unlimited(world: World, database_url: str) -> Iterator[Pair]:
    """Two apps over one populated store, the lean path on and off, counting no caller."""
    with apps(world, database_url, quotas=False) as both:
        declare(world.registry, world.root.signer, world.clock.now)
        populate(both.facade, world)
        yield both


@settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(query=QUERY)
def test_any_lookup_query_is_answered_as_the_route_answers_it(unlimited: Pair, query: str) -> None:
    same(unlimited, f"/api/v1/lookup?{query}")
