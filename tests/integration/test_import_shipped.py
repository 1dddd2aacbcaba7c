"""The shipped MIIT lists load into an empty store: every listed row becomes a designated unit.

This is what a newcomer's first ``greenreg serve`` does (through :func:`load_shipped_lists`):
make the keys, found the registry, register the transcription authority, then record the six
announcements of 2017-2021, one transaction each. Runs on SQLite and PostgreSQL.
"""

from __future__ import annotations

import json
import stat
from collections import Counter
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from greenreg.bootstrap import Greenreg, open_greenreg
from greenreg.events.vocabulary import Designated, Removed, RulesAdopted, UnitRegistered
from greenreg.importer.announcements import shipped_announcements
from greenreg.importer.keys import ensure_key
from greenreg.importer.loading import adopt_shipped_rules, load_shipped_lists
from greenreg.importer.transcription import TRANSCRIBER_CODE, unit_id_of
from tests.support import Clock

# Designated units per batch and programme, as the announcements counted them
# (batches_summary.csv: green_industrial_parks, green_factories, green_supply_chain).
PUBLISHED_COUNTS = {
    "第一批": {"green_park": 24, "green_factory": 201, "green_supply_chain": 15},
    "第二批": {"green_park": 22, "green_factory": 208, "green_supply_chain": 4},
    "第三批": {"green_park": 34, "green_factory": 391, "green_supply_chain": 21},
    "第四批": {"green_park": 39, "green_factory": 602, "green_supply_chain": 50},
    "第五批": {"green_park": 53, "green_factory": 719, "green_supply_chain": 99},
    "2021年度(第六批)": {"green_park": 52, "green_factory": 662, "green_supply_chain": 107},
}
TAIXING = "江苏省泰兴经济开发区"


@pytest.fixture
def greenreg(database_url: str) -> Iterator[Greenreg]:
    app = open_greenreg(database_url, clock=Clock())
    try:
        yield app
    finally:
        app.close()


def stored_events(greenreg: Greenreg) -> list[Any]:
    registry = greenreg.registry
    return [
        registry.mapper.to_domain_event(n)
        for n in registry.recorder.select_notifications(start=1, limit=1_000_000)
    ]


def test_the_shipped_lists_load_into_an_empty_store(greenreg: Greenreg, tmp_path: Path) -> None:
    keys = tmp_path / "keys"
    # Given an existing root key (a newcomer may have made one) and no transcriber key
    root = ensure_key(keys, "root")
    root_file = (keys / "root.key").read_bytes()

    # When the shipped lists are loaded into the empty store
    results = load_shipped_lists(greenreg, keys)

    # Then six announcements were recorded, oldest first, each entirely new
    assert results is not None
    assert [r.label for r in results] == list(PUBLISHED_COUNTS)
    assert all(r.already_recorded == 0 and r.recorded == r.acts for r in results)

    # The existing root key was used, not overwritten; the transcriber key was made, 0600
    assert (keys / "root.key").read_bytes() == root_file
    for name in ("root", "transcriber"):
        assert stat.S_IMODE((keys / f"{name}.key").stat().st_mode) == 0o600
        assert (keys / f"{name}.pub").exists()
    events = stored_events(greenreg)
    assert events[0].root_public_key == (keys / "root.pub").read_text().strip()
    assert events[0].key_id == root.key_id  # the founding act is signed by the root key

    # The transcription authority says what it is, and may issue national lists only
    authority = greenreg.registry.authority(TRANSCRIBER_CODE)
    assert "transcription of public MIIT announcements (not MIIT)" in authority.name
    assert authority.jurisdiction == "CN"
    assert sorted(authority.programmes) == ["green_factory", "green_park", "green_supply_chain"]

    # Every designation the announcements counted is there, per batch and programme
    designated = Counter((e.batch, str(e.programme)) for e in events if isinstance(e, Designated))
    expected = Counter(
        {(b, p): n for b, counts in PUBLISHED_COUNTS.items() for p, n in counts.items()}
    )
    assert designated == expected

    # ... each one on the unit its row names, citing its announcement, effective on its date
    for announcement in shipped_announcements():
        for programme, row in announcement.listed():
            unit = greenreg.registry.unit(str(unit_id_of(programme, row.name)))
            listing = unit.state.designations[(programme, "CN")]
            assert listing.batch == announcement.label
            assert listing.document_number == announcement.document
            assert listing.since == announcement.effective_date
            assert unit.state.division == row.division
            expected_status = "removed" if row.name == TAIXING else "listed"
            assert listing.status == expected_status, row.name

    # A unit named in several lists is one unit: 3,303 rows, 3,140 units
    registered = [e for e in events if isinstance(e, UnitRegistered)]
    assert len(registered) == 3140
    assert len({(e.kind, e.name) for e in registered}) == 3140
    boe = greenreg.registry.unit(str(unit_id_of("green_factory", "北京京东方显示技术有限公司")))
    assert {k: d.batch for k, d in boe.state.designations.items()} == {
        ("green_factory", "CN"): "第一批",
        ("green_supply_chain", "CN"): "第五批",
    }
    # A Ningbo factory (a city with separate plan status) is located in Zhejiang
    assert boe.state.division == "110000"
    ningbo = next(r for a in shipped_announcements() for _, r in a.listed() if r.region == "宁波")
    assert greenreg.registry.unit(str(unit_id_of("green_factory", ningbo.name))).state.division == (
        "330000"
    )

    # The batch 3 notice de-listed 泰兴 (pollution incident) on 2018-10-29, under rules that are
    # not in the seeds: removed, with no ban (the national rules are in force from 2024)
    (removal,) = [e for e in events if isinstance(e, Removed)]
    assert removal.effective_date == date(2018, 10, 29)
    assert removal.document_number == "工信厅节函〔2018〕341号"
    assert removal.ground == "dynamic_adjustment"
    assert removal.bans == []
    taixing = greenreg.registry.unit(str(unit_id_of("green_park", TAIXING)))
    assert taixing.id == removal.originator_id
    assert taixing.state.designations[("green_park", "CN")].since == date(2018, 2, 11)
    assert taixing.state.bans == []
    # ... and its history says which rule was not in force
    history = greenreg.queries.history(taixing.id)
    assert history is not None
    removed = [entry for entry in history.entries if entry.event_type == "Removed"]
    assert [entry.rules for entry in removed] == [
        "no rule in force in the registry on 2018-10-29 for green_park lists of 中华人民共和国 (CN)"
    ]

    # The root adopted the rules whose first day the texts give, before the lists were loaded
    adopted = [e for e in events if isinstance(e, RulesAdopted)]
    assert [(str(e.rulebook), e.jurisdiction, e.effective_date) for e in adopted] == [
        ("national", "CN", date(2024, 1, 1)),
        ("chongqing", "500000", date(2024, 3, 6)),
        ("zhejiang", "330000", date(2022, 3, 22)),
    ]
    assert events.index(adopted[-1]) < events.index(registered[0])
    assert [(r.rulebook, r.jurisdiction) for r in greenreg.queries.rules()] == [
        ("national", "CN"),
        ("chongqing", "500000"),
        ("zhejiang", "330000"),
    ]

    # Every act is signed by the transcriber, at transcription time, citing its document
    act = json.loads(registered[0].signed_act)
    assert act["authority"] == TRANSCRIBER_CODE
    assert act["signed_at"] == Clock().now.isoformat()
    assert act["document"] == {"number": "工信厅节函〔2017〕491号"}

    # And on a store that holds anything, loading does nothing
    count = greenreg.registry.event_count()
    assert load_shipped_lists(greenreg, tmp_path / "other-keys") is None
    assert greenreg.registry.event_count() == count
    assert not (tmp_path / "other-keys").exists()

    # The adoption step again (a resumed first run) records nothing new: fixed act ids
    adopt_shipped_rules(greenreg, root)
    assert greenreg.registry.event_count() == count
