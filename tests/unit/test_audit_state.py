"""The audit state's records: a record builds the registry's own objects and nothing else, and
the Merkle frontier it keeps must be a tree's."""

from __future__ import annotations

import json
import os
import pickle
import zlib
from datetime import UTC, date, datetime
from pathlib import Path
from uuid import uuid4

import pytest

from greenreg.audit.state import (
    AuditState,
    Position,
    StateWriter,
    memo_of,
    memo_record,
    pickled,
    unpickled,
    uuid_of,
)
from greenreg.errors import GreenregError
from greenreg.projections.digest import memo_sum
from greenreg.projections.fold import UnitMemo, present_rows
from greenreg.registry.log import Frontier, ProofError, leaf_hash
from greenreg.registry.rulebooks.law import Adoption


class Payload:
    """What a crafted record would make the unpickler call."""

    def __reduce__(self) -> tuple[object, tuple[str]]:
        return os.system, ("echo owned > /dev/null",)


def a_frontier(size: int) -> Frontier:
    frontier = Frontier()
    for i in range(size):
        frontier.append(leaf_hash(str(i).encode()))
    return frontier


def test_a_record_naming_anything_but_the_registrys_objects_is_refused(tmp_path: Path) -> None:
    crafted = zlib.compress(pickle.dumps(Payload(), protocol=5))
    with pytest.raises(pickle.UnpicklingError, match=r"may not name posix\.system"):
        unpickled(crafted)

    # Even in a state whose digest and record hashes are all in order.
    key = uuid4()
    frontier = a_frontier(5)
    writer = StateWriter(tmp_path / "crafted.state")
    writer.aggregates([(key, crafted)])
    writer.commit(Position("greenreg.log", 5, frontier.root(), "", frontier.stack, b"\0" * 32, {}))
    state = AuditState.open(tmp_path / "crafted.state")
    try:
        with pytest.raises(GreenregError, match="holds a record that is not an aggregate"):
            state.aggregate(key)
    finally:
        state.close()


def test_plain_values_and_the_registrys_objects_come_back() -> None:
    value = {
        "when": datetime(2026, 1, 1, tzinfo=UTC),
        "day": date(2026, 1, 1),
        "id": uuid4(),
        "adoption": Adoption("national", "CN", date(2024, 1, 1), None, "doc", uuid4()),
    }
    assert unpickled(pickled(value)) == value
    assert unpickled(pickled(value))["id"].bytes == value["id"].bytes


def test_a_record_compressed_as_an_earlier_release_wrote_it_comes_back() -> None:
    value = {"id": uuid4(), "day": date(2026, 1, 1)}
    assert unpickled(zlib.compress(pickle.dumps(value, protocol=5), 1)) == value


def test_a_uuid_record_of_another_length_is_refused() -> None:
    class Short:
        def __reduce__(self) -> tuple[object, tuple[bytes]]:
            return uuid_of, (b"short",)

    with pytest.raises(pickle.UnpicklingError, match="a UUID is 16 bytes"):
        unpickled(pickle.dumps(Short(), protocol=5))


def test_opening_a_state_sums_its_hashes_from_their_index(tmp_path: Path) -> None:
    frontier = a_frontier(3)
    writer = StateWriter(tmp_path / "audit.state")
    writer.aggregates([(uuid4(), pickled({"n": n})) for n in range(3)])
    writer.commit(Position("greenreg.log", 3, frontier.root(), "", frontier.stack, b"\0" * 32, {}))
    state = AuditState.open(tmp_path / "audit.state")
    try:
        plan = state.connection.execute("EXPLAIN QUERY PLAN SELECT hash FROM aggregates")
        assert "COVERING INDEX aggregates_hash" in str(plan.fetchall())
        # A record changed with its hash is still caught by the sum of the hashes.
        state.connection.execute("UPDATE aggregates SET hash = zeroblob(32) WHERE rowid = 1")
        state.connection.commit()
    finally:
        state.close()
    with pytest.raises(GreenregError, match="was changed after it was written"):
        AuditState.open(tmp_path / "audit.state")


def test_a_frontier_is_restored_only_for_its_size() -> None:
    frontier = a_frontier(13)  # 8 + 4 + 1
    restored = Frontier.restored(13, frontier.stack)
    assert restored.root() == frontier.root()
    restored.append(leaf_hash(b"13"))
    frontier.append(leaf_hash(b"13"))
    assert restored.root() == frontier.root()
    with pytest.raises(ProofError, match="not the frontier of a tree of 12 leaves"):
        Frontier.restored(12, a_frontier(13).stack)
    with pytest.raises(ProofError, match="32 bytes"):
        Frontier.restored(1, [(0, b"short")])


@pytest.mark.parametrize(
    "name",
    ["苏州工业园区", 'a "quoted" \\ name\n\t\x01', "𠀀 beyond the BMP", "a large position"],
)
def test_a_memo_record_is_the_standard_json_of_its_rows_and_reads_back(name: str) -> None:
    large = 2**70 if "large" in name else 7  # beyond 64 bits: orjson refuses it
    memo = UnitMemo(["u1", "park", name, None, "320500", "320000", "2017-01-01", "2017-01-01",
                     None, "2017-01-01T00:00:00.000000Z", "e1", large])  # fmt: skip
    memo.names = [
        ["u1", name, "a1", "2017-01-01", "2020-01-01", "t0", "t1", "e1", 3],
        ["u1", "现名", "a2", "2020-01-01", "9999-12-31", "t1", "t2", "e2", 4],
    ]
    memo.designations[("green_park", "CN")] = ["u1", "green_park", "CN", True, None]
    record = memo_record(memo)
    rows = present_rows([memo])
    standard = json.dumps(
        [f"{memo_sum(memo):064x}", memo.unit, rows["rm_designations"],
         rows["rm_status_intervals"], memo.names, rows["rm_creations"]],
        ensure_ascii=False,
        separators=(",", ":"),
    ).encode("utf-8")  # fmt: skip
    assert record == standard
    read, digest = memo_of(record)
    assert digest == memo_sum(memo)
    assert (read.unit, read.names, read.designations) == (memo.unit, memo.names, memo.designations)
