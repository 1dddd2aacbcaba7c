"""``read_uuid`` is ``UUID``: the same UUID for every text ``UUID`` reads, the same refusal
for every text it refuses."""

from __future__ import annotations

from uuid import UUID

import pytest
from hypothesis import given
from hypothesis import strategies as st

from greenreg.events.uuid_text import read_uuid


def _same(text: str) -> None:
    try:
        expected = UUID(text)
    except ValueError:
        with pytest.raises(ValueError):  # noqa: PT011 (UUID's own message)
            read_uuid(text)
        return
    made = read_uuid(text)
    assert type(made) is UUID
    assert made == expected
    assert (made.int, made.is_safe, str(made), hash(made)) == (
        expected.int,
        expected.is_safe,
        str(expected),
        hash(expected),
    )


@given(
    st.uuids(),
    st.sampled_from(
        [str, lambda u: u.hex, lambda u: str(u).upper(), lambda u: f"{{{u}}}", lambda u: u.urn]
    ),
)
def test_every_spelling_of_a_uuid_reads_as_uuid_reads_it(uuid: UUID, spelling: object) -> None:
    _same(spelling(uuid))  # type: ignore[operator]


@given(st.text(alphabet="0123456789abcdefABCDEF-{}: \n_+x", max_size=40))
def test_any_other_text_reads_or_is_refused_as_uuid_does(text: str) -> None:
    _same(text)


@pytest.mark.parametrize(
    "text",
    ["0" * 32, "f" * 32, "00000000-0000-0000-0000-00000000000g", "0" * 31 + "\n", " " + "0" * 32],
)
def test_edges(text: str) -> None:
    _same(text)
