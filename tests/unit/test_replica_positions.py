"""WAL positions as the replica router reads them from PostgreSQL and from a writer."""

from __future__ import annotations

import pytest

from greenreg.api.replicas import lsn_text, lsn_value, writer_position


@pytest.mark.parametrize("text", ["0/0", "0/3000060", "16/B374D848", "FFFFFFFF/FFFFFFFF"])
def test_a_position_reads_back_as_written(text: str) -> None:
    assert lsn_text(lsn_value(text)) == text


def test_positions_order_by_their_high_part_first() -> None:
    assert lsn_value("1/0") > lsn_value("0/FFFFFFFF")


def scope(*headers: tuple[bytes, bytes]) -> dict[str, object]:
    return {"type": "http", "method": "GET", "path": "/", "headers": list(headers)}


def test_the_writer_s_position_comes_from_its_header_before_its_cookie() -> None:
    assert writer_position(scope((b"cookie", b"greenreg_after=0/10"))) == 0x10
    both = scope((b"cookie", b"greenreg_after=0/10"), (b"greenreg-after", b"0/20"))
    assert writer_position(both) == 0x20
    assert writer_position(scope()) is None


@pytest.mark.parametrize("token", [b"not a position", b"0/xyz", b"/"])
def test_a_position_that_is_none_reads_as_anyone_would(token: bytes) -> None:
    assert writer_position(scope((b"greenreg-after", token))) is None
