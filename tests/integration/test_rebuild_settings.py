"""A rebuild's bulk-load settings hold only while it runs: on SQLite a large page cache, sorts
in memory and no secure delete (dropping the old read models does not overwrite each freed page
first); on PostgreSQL more memory for the index builds. Afterwards the connection has its own
settings back, and the rebuilt read models are complete."""

from __future__ import annotations

from typing import Any

from tests.support import Reads, World

SQLITE = ("cache_size", "temp_store", "secure_delete")


def _settings(reads: Reads) -> tuple[Any, ...]:
    connection = reads.store.connection()
    if reads.store.dialect == "sqlite":
        return tuple(connection.execute(f"PRAGMA {name}").fetchone()[0] for name in SQLITE)
    return tuple(connection.execute("SHOW maintenance_work_mem").fetchone())


def test_bulk_load_settings_last_as_long_as_the_rebuild(world: World, reads: Reads) -> None:
    unit = world.register("js-eit", "苏州工业园区", "320500")
    reads()
    before = _settings(reads)

    # While bulk loading, the settings are those of a rebuild
    with reads.store.bulk_load():
        during = _settings(reads)
    if reads.store.dialect == "sqlite":
        assert during == (-256 * 1024, 2, 0)
    else:
        assert during == ("256MB",)
    assert during != before

    # A rebuild leaves the connection as it found it, and the read models whole
    assert reads.projector.rebuild() == reads.projector.last_position()
    assert _settings(reads) == before
    assert reads().unit(unit) is not None
