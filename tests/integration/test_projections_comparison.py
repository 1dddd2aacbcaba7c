"""The audit's question about the read models: are they what the log says? A fresh fold of the
log is compared with the live tables row by row; every hand-made change is named, and the
comparison itself changes nothing."""

from __future__ import annotations

from greenreg.projections.comparison import compare_with_rebuild
from greenreg.projections.schema import read_model_rows
from tests.support import Reads, World, a_park_with_a_past


def test_untouched_read_models_compare_equal(world: World, reads: Reads) -> None:
    a_park_with_a_past(world)
    reads()
    comparison = compare_with_rebuild(world.registry, reads.store)
    assert comparison.matches, [d.describe() for d in comparison.differences]
    assert comparison.position == reads.projector.position() > 0


def test_events_not_yet_folded_are_not_differences(world: World, reads: Reads) -> None:
    park = a_park_with_a_past(world)
    reads()
    # A removal recorded after the read models last caught up.
    world.submit("js-eit", "remove", effective_date="2025-03-01", unit=park,
                 programme="green_park", jurisdiction="320000",
                 ground="not_operating")  # fmt: skip
    comparison = compare_with_rebuild(world.registry, reads.store)
    # Both sides are taken at the live position: the removal is in neither.
    assert comparison.matches
    assert comparison.position == reads.projector.position() < reads.projector.last_position()


def test_a_row_altered_by_hand_is_named_with_both_values(world: World, reads: Reads) -> None:
    park = a_park_with_a_past(world)
    reads()
    # Someone edits the live list behind the registry's back.
    reads.store.execute("UPDATE rm_designations SET status = 'listed' WHERE unit_id = ?", [park])
    altered = read_model_rows(reads.store)

    comparison = compare_with_rebuild(world.registry, reads.store)

    [difference] = comparison.differences
    assert difference.table == "rm_designations"
    assert difference.key == {
        "unit_id": park, "programme": "green_park", "jurisdiction": "320000"
    }  # fmt: skip
    assert difference.columns == ("status",)
    assert difference.live is not None
    assert difference.rebuilt is not None
    assert (difference.live["status"], difference.rebuilt["status"]) == ("listed", "warned")
    assert "status: live 'listed', rebuilt 'warned'" in difference.describe()
    # The comparison wrote nothing: the altered row is still there, as it was.
    assert read_model_rows(reads.store) == altered


def test_rows_dropped_or_added_by_hand_are_named(world: World, reads: Reads) -> None:
    park = a_park_with_a_past(world)
    reads()
    history = reads.queries.history(world.registry.unit(park).id)
    assert history is not None
    renamed = history.entries[2].evidence.event_id
    # One history entry deleted, one ban invented.
    reads.store.execute("DELETE FROM rm_history WHERE event_id = ?", [renamed])
    reads.store.execute(
        "INSERT INTO rm_bans (unit_id, programme, jurisdiction, level, ground, rule, first_day, "
        "last_day, document_number, recorded_at, event_id, position) "
        "VALUES (?, 'green_park', '320000', 'provincial', 'not_operating', '003 art. 17(3)', "
        "'2022-07-01', '2025-06-30', 'forged', '2022-07-01T00:00:00.000000Z', ?, 1)",
        [park, f"{park}/99"],
    )

    comparison = compare_with_rebuild(world.registry, reads.store)

    found = {(d.table, tuple(d.key.values())): d for d in comparison.differences}
    assert set(found) == {
        ("rm_history", (renamed,)),
        ("rm_bans", (f"{park}/99", "green_park", "320000")),
    }
    missing, forged = (
        found["rm_history", (renamed,)],
        found["rm_bans", (f"{park}/99", "green_park", "320000")],
    )
    assert missing.live is None
    assert missing.rebuilt is not None
    assert missing.rebuilt["event_type"] == "Renamed"
    assert "missing from the live table" in missing.describe()
    assert forged.rebuilt is None
    assert forged.live is not None
    assert forged.live["document_number"] == "forged"


def test_read_models_never_built_compare_as_empty(world: World, reads: Reads) -> None:
    a_park_with_a_past(world)
    # No catch-up: no read-model tables at all; nothing is created by comparing.
    comparison = compare_with_rebuild(world.registry, reads.store)
    assert comparison.matches
    assert comparison.position == 0
    with reads.store.snapshot() as cursor:
        assert not reads.store.has_table(cursor, "rm_tracking")
