"""A process that reads makes the read-model tables it misses, and writes nothing when none is.

Every process that reads (``greenreg serve``, each command, each worker) first makes sure the
read-model tables are there. It reads the database's catalog once and creates only when a
table, a column, an index or (SQLite) a trigger of the search index is missing: creating "if
not exists" took one statement for each (some 80 round trips to a PostgreSQL server).
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from greenreg.projections import schema
from greenreg.projections.database import Catalog, ReadStore
from greenreg.projections.runner import Projector
from tests.support import Reads, World


def read_model_objects(store: ReadStore) -> dict[str, str]:
    """The indexes and triggers the read models have (not those of the event store)."""
    catalog: Catalog = store.catalog()
    return {
        name: sql
        for name, sql in catalog.objects.items()
        if name.startswith("rm_") and name not in catalog.columns
    }


def droppable(store: ReadStore, objects: dict[str, str]) -> Iterator[tuple[str, str]]:
    """Each object with the statement that drops it (not an index a key constraint owns, nor
    one SQLite made itself)."""
    for name, sql in sorted(objects.items()):
        if store.dialect == "postgres":
            if name.endswith("_pkey"):
                continue
            yield name, f'DROP INDEX "{name}"'
        elif sql.upper().startswith("CREATE TRIGGER"):
            yield name, f"DROP TRIGGER {name}"
        elif sql.upper().startswith(("CREATE INDEX", "CREATE UNIQUE INDEX")):
            yield name, f"DROP INDEX {name}"


def test_a_store_with_every_table_is_not_written_to(world: World, reads: Reads) -> None:
    world.register("js-eit", "苏州工业园区", "320500")
    reads()
    assert schema.tables_current(reads.store)
    again = Projector(world.registry, reads.store)

    def refused() -> None:
        raise AssertionError("a transaction was opened on a store that has every table")

    reads.store.transaction = refused  # type: ignore[method-assign,assignment]
    again.ensure_tables()
    assert again.position() > 0


def test_each_index_and_trigger_missing_is_made_again(world: World, reads: Reads) -> None:
    world.register("js-eit", "苏州工业园区", "320500")
    reads()
    store = reads.store
    made = read_model_objects(store)
    dropped = list(droppable(store, made))
    assert len(dropped) >= 25, dropped  # every table's key and indexes, the search's own
    for name, statement in dropped:
        store.execute(statement)
        assert not schema.tables_current(store), f"{name} missing, the tables said current"
        Projector(world.registry, store).ensure_tables()
        assert schema.tables_current(store), name
        assert read_model_objects(store) == made, name
    assert reads().search("苏州工业园区", 5)[0].unit.name == "苏州工业园区"


@pytest.mark.parametrize("table", [t.name for t in (*schema.ALL, schema.TRACKING)])
def test_a_table_missing_is_not_current(world: World, reads: Reads, table: str) -> None:
    reads()
    with reads.store.transaction() as cursor:
        cursor.execute(f"DROP TABLE {table}")
    assert not schema.tables_current(reads.store)
    Projector(world.registry, reads.store).ensure_tables()
    assert schema.tables_current(reads.store)
