"""The read models folded batch by batch equal a rebuild of the same log, on both databases, in
the cases the property test (``test_projections_property.py``) found where they did not, each
written out so that it runs every time."""

from __future__ import annotations

from greenreg.projections.schema import FOREVER_TIME, read_model_rows
from greenreg.registry.rulebooks.law import TEXTS
from tests.support import Reads, World


def rename_rules(reads: Reads) -> str:
    rows = reads.store.query("SELECT rules FROM rm_history WHERE event_type = 'Renamed'")
    assert len(rows) == 1
    return str(rows[0][0])


def test_a_rename_names_the_rules_of_the_units_lists_in_rulebook_order(
    world: World, reads: Reads
) -> None:
    """A rename is judged under the rules of every list the unit is on. In memory its lists
    are in the order they were first designated after a rebuild, but in the database's order
    (the key's: programme, then jurisdiction) after the incremental runner loaded them; the
    rules are named in the order of their rulebooks either way."""
    unit = world.register("js-eit", "苏州示例园区", "320505")
    on = {"unit": str(unit)}
    # First on a Jiangsu list (003, rulebook "provincial"), then on the national one
    # (rulebook "national"), which the key orders first (green_park before green_supply_chain).
    world.submit("js-eit", "designate", **on, effective_date="2024-08-01",
                 programme="green_supply_chain", jurisdiction="320000")  # fmt: skip
    world.submit("miit", "designate", **on, effective_date="2024-09-01",
                 programme="green_park", jurisdiction="CN")  # fmt: skip
    reads()  # the rename below is folded in a batch of its own, from the stored rows
    world.submit("js-eit", "rename", **on, effective_date="2024-10-01",
                 new_name="苏州示例绿色园区", reported_on="2024-10-08")  # fmt: skip
    reads()
    incremental = read_model_rows(reads.store)

    said = rename_rules(reads)
    assert said.startswith(f"judged under {TEXTS['national']} (rulebook national")
    assert f"; judged under {TEXTS['provincial']} (rulebook provincial" in said

    reads.projector.rebuild()
    assert rename_rules(reads) == said
    assert read_model_rows(reads.store) == incremental


def test_a_name_replaced_on_the_day_it_took_effect_stays_a_former_name(
    world: World, reads: Reads
) -> None:
    """A unit registered and renamed with effect the same day: its first name held for no day,
    but the registry's acts gave it, so it is a former name (an empty interval of valid time),
    found by search and shown, whichever way the read models were folded; on that day and after
    the unit is called by its new name. So is a name two renames of one day passed through."""
    unit = world.register("js-eit", "苏州甲园区", "320505", effective_date="2024-08-01")
    on = {"unit": str(unit)}
    reads()
    world.submit("js-eit", "rename", **on, effective_date="2024-08-01", new_name="苏州乙园区",
                 reported_on="2024-08-05")  # fmt: skip
    reads()
    for new_name in ("苏州丙园区", "苏州丁园区"):
        world.submit("js-eit", "rename", **on, effective_date="2024-09-01", new_name=new_name,
                     reported_on="2024-09-02")  # fmt: skip
    q = reads()
    incremental = read_model_rows(reads.store)

    view = q.unit(unit)
    assert view is not None
    assert view.name == "苏州丁园区"
    assert [(f.name, str(f.valid_from), str(f.valid_until)) for f in view.former_names] == [
        ("苏州甲园区", "2024-08-01", "2024-07-31"),  # held for no day
        ("苏州乙园区", "2024-08-01", "2024-08-31"),
        ("苏州丙园区", "2024-09-01", "2024-08-31"),  # held for no day
    ]
    [hit] = q.search("苏州甲园区")
    assert (hit.unit.id, hit.matched) == (unit, "former_name")
    assert "replaced on 2024-08-01, the day it took effect" in hit.explanation
    names = reads.store.query(
        "SELECT name FROM rm_name_intervals WHERE unit_id = ? AND known_to = ? "
        "AND valid_from <= ? AND ? < valid_to",
        [str(unit), FOREVER_TIME, "2024-08-01", "2024-08-01"],
    )
    assert names == [("苏州乙园区",)]  # the name on the day itself

    reads.projector.rebuild()
    assert read_model_rows(reads.store) == incremental
