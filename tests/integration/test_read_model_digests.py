"""The read models' digest the projection commits, on SQLite and PostgreSQL.

After each catch-up the projection commits, in the same transaction, the digest of every
read-model row at the log size it reached; it must be the digest of the rows the tables hold,
and of the rows a fold of the log from its start gives; a rebuild commits the same, and read
models folded before the digests existed get one from their rows at their next catch-up.
"""

from __future__ import annotations

from uuid import UUID

from greenreg.projections.digest import committed_digest, full_sum, tables_sum
from greenreg.projections.fold import Fold
from greenreg.projections.runner import fold_log
from greenreg.storage.log_tables import LogTables
from tests.support import Reads, World


def story(world: World, reads: Reads) -> UUID:
    """A park registered, designated, renamed, reported: the read models catch up after each."""
    park = world.register("js-eit", "苏州高新技术产业开发区", "320505")
    reads()
    steps = [
        ("designate", {"programme": "green_park", "jurisdiction": "320000", "batch": "第一批",
                       "grade": None, "effective_date": "2020-01-01"}),
        ("rename", {"new_name": "苏州高新区", "reported_on": "2024-06-10",
                    "effective_date": "2024-06-01"}),
        ("file_report", {"report": "dynamic_management_form", "year": 2024,
                         "filed_on": "2025-03-01", "effective_date": "2025-03-01"}),
    ]  # fmt: skip
    for kind, fields in steps:
        world.submit("js-eit", kind, unit=str(park), **fields)
        reads()
    return park


def size_of(world: World) -> int:
    recorder = world.registry.recorder
    assert isinstance(recorder, LogTables)
    return recorder.log_size()


def live(reads: Reads) -> int:
    with reads.store.snapshot() as cursor:
        return tables_sum(reads.store, cursor)


def folded(world: World) -> int:
    fold = Fold()
    for _ in fold_log(world.registry, fold):
        pass
    return full_sum(fold)


def test_each_catch_up_commits_the_digest_of_the_rows_it_leaves(world: World, reads: Reads) -> None:
    before = size_of(world)
    reads()
    first = committed_digest(reads.store, before)
    story(world, reads)
    end = size_of(world)

    # One digest per catch-up, each at the log size it reached: here the last is every row's.
    assert first is not None
    digest = committed_digest(reads.store, end)
    assert digest == live(reads) == folded(world)
    assert committed_digest(reads.store, end - 1) not in (None, digest)

    # A rebuild commits the same, and only that one.
    reads.projector.rebuild()
    assert committed_digest(reads.store, end) == digest
    assert committed_digest(reads.store, end - 1) is None


def test_read_models_folded_before_the_digests_get_one_from_their_rows(
    world: World, reads: Reads
) -> None:
    story(world, reads)
    reads.store.execute("DELETE FROM greenreg_read_model_digests")
    world.register("js-eit", "无锡新区", "320214")

    reads()

    end = size_of(world)
    assert committed_digest(reads.store, end) == live(reads) == folded(world)


def test_a_row_changed_behind_the_projections_back_leaves_its_digest_as_it_was(
    world: World, reads: Reads
) -> None:
    """The digest is what the projection wrote: a whole verify compares the rows themselves."""
    park = story(world, reads)
    end = size_of(world)
    committed = committed_digest(reads.store, end)
    reads.store.execute("UPDATE rm_units SET name = '改过的名字' WHERE unit_id = ?", [str(park)])
    assert committed_digest(reads.store, end) == committed == folded(world) != live(reads)
