"""A timeline line keeps the act's own fields and its signing key, on SQLite and PostgreSQL, and
read-model tables made by an older version gain the columns they lack and keep folding."""

from __future__ import annotations

from greenreg.projections.runner import Projector
from tests.support import Reads, World


def test_a_timeline_line_keeps_the_act_fields_and_the_key_that_signed_it(
    world: World, reads: Reads
) -> None:
    unit = world.register("js-eit", "苏州工业园区", "320500")
    world.submit("js-eit", "designate", effective_date="2020-01-01", unit=str(unit),
                 programme="green_park", jurisdiction="320000", batch="第一批")  # fmt: skip
    history = reads().history(unit)
    assert history is not None
    registered, designated = history.entries
    assert registered.details == {
        "credit_code": None,
        "division": "320500",
        "kind": "park",
        "name": "苏州工业园区",
        "registered_elsewhere": None,
    }
    assert designated.details["batch"] == "第一批"
    assert designated.details["programme"] == "green_park"
    assert designated.key_id == world.issuers["js-eit"].signer.key_id


def test_tables_of_an_older_version_gain_the_new_columns_and_keep_folding(
    world: World, reads: Reads, database_url: str
) -> None:
    unit = world.register("js-eit", "苏州工业园区", "320500")
    reads()
    # An older version's timeline table: without the key and the act's fields.
    with reads.store.transaction() as cursor:
        cursor.execute("ALTER TABLE rm_history DROP COLUMN details")
        cursor.execute("ALTER TABLE rm_history DROP COLUMN key_id")
    upgraded = Projector(world.registry, reads.store)
    upgraded.ensure_tables()
    world.submit("js-eit", "designate", effective_date="2020-01-01", unit=str(unit),
                 programme="green_park", jurisdiction="320000", batch="第一批")  # fmt: skip
    upgraded.catch_up()
    history = reads.queries.history(unit)
    assert history is not None
    old, new = history.entries
    assert (old.details, old.key_id) == ({}, "")  # folded before: empty until a rebuild
    assert new.details["batch"] == "第一批"
