"""A projection runner killed between writing its rows and committing loses nothing and
applies nothing twice: the rows and the tracking position commit together or not at all.

The crash is real: a separate process folds the new events, writes the rows, and dies
(``os._exit``) before the commit. Then a runner in this process catches up, and the result
equals a rebuild from scratch.
"""

from __future__ import annotations

import subprocess
import sys

from greenreg.projections.schema import read_model_rows
from tests.support import Reads, World

CRASHING_RUNNER = """
import os, sys
from greenreg.bootstrap import open_read_store, open_registry
from greenreg.projections.runner import Projector

class Crashing(Projector):
    def before_commit(self, cursor):
        cursor.execute("SELECT COUNT(*) FROM rm_history")
        print(cursor.fetchone()[0], flush=True)  # the rows are written...
        os._exit(3)  # ...and the process dies before the commit

url = sys.argv[1]
Crashing(open_registry(url), open_read_store(url)).catch_up()
"""


def test_a_runner_killed_before_commit_resumes_cleanly(
    world: World, reads: Reads, database_url: str
) -> None:
    # Some history, folded into the read models.
    park = str(world.register("js-eit", "苏州工业园区", "320505"))
    world.submit("js-eit", "designate", effective_date="2020-01-01", unit=park,
                 programme="green_park", jurisdiction="320000")  # fmt: skip
    reads()
    before = read_model_rows(reads.store)
    position = reads.projector.position()

    # More events, not folded yet.
    world.submit("js-eit", "rename", effective_date="2021-01-01", unit=park,
                 new_name="苏州工业园区（绿色）", reported_on="2021-01-05")  # fmt: skip
    # A verified public complaint: Suzhou orders rectification (003 art. 25).
    complaint = world.submit("sz-eit", "record_complaint", effective_date="2024-08-20",
                             unit=park, programme="green_park", jurisdiction="320000",
                             matter="能耗数据与实际不符").act_id  # fmt: skip
    world.submit("sz-eit", "decide_complaint", effective_date="2024-09-01", unit=park,
                 complaint=str(complaint), outcome="rectification", rectify_by="2025-02-28",
                 removal=None)  # fmt: skip
    world.submit("js-eit", "remove", effective_date="2025-03-01", unit=park,
                 programme="green_park", jurisdiction="320000",
                 ground="not_operating")  # fmt: skip

    # A runner in another process writes the rows for them, then dies before committing.
    crashed = subprocess.run(
        [sys.executable, "-c", CRASHING_RUNNER, database_url],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert crashed.returncode == 3, crashed.stderr
    assert int(crashed.stdout) == len(before["rm_history"]) + 4  # it had written them

    # Nothing of its work is visible: same rows, same position.
    assert read_model_rows(reads.store) == before
    assert reads.projector.position() == position

    # A new runner resumes from the committed position: every event once, none twice.
    q = reads()
    history = q.history(world.registry.unit(park).id)
    assert history is not None
    assert [e.event_type for e in history.entries] == [
        "UnitRegistered", "Designated", "Renamed", "ComplaintRecorded", "ComplaintDecided",
        "Removed",
    ]  # fmt: skip
    assert len({e.evidence.position for e in history.entries}) == len(history.entries)
    resumed = read_model_rows(reads.store)
    reads.projector.rebuild()
    assert read_model_rows(reads.store) == resumed


def test_two_runners_apply_each_event_once(world: World, reads: Reads, database_url: str) -> None:
    unit = str(world.register("js-eit", "苏州新区", "320505"))
    world.submit("js-eit", "designate", effective_date="2020-01-01", unit=unit,
                 programme="green_park", jurisdiction="320000")  # fmt: skip
    other = Reads(world, database_url)
    try:
        start = reads.projector.position()
        notifications = world.registry.recorder.select_notifications(start=start + 1, limit=100)
        # Both fold the same batch; the second finds the position moved and writes nothing.
        assert reads.projector.apply(start, notifications)
        assert not other.projector.apply(start, notifications)
        once = read_model_rows(reads.store)
        reads.projector.rebuild()
        assert read_model_rows(reads.store) == once
    finally:
        other.close()
