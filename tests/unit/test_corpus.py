"""The benchmark corpus: the same bytes for a seed, every programme's life, accepted as a whole."""

from __future__ import annotations

import json
import sqlite3
from collections import Counter
from pathlib import Path

import pytest
from bench.corpus import announcements as announcements_module
from bench.corpus import cached_sqlite_store, corpus, generate, keyring, populate, read_manifest
from bench.corpus import store as store_module
from bench.corpus.lives import plans
from stdnum.cn import uscc

from greenreg.bootstrap import open_registry, persistence_env
from greenreg.events.places import check_division
from greenreg.events.signing import b64encode
from greenreg.storage.schema_version import VERSION_TABLE, known_migrations


def _dump(seed: int) -> str:
    return json.dumps(
        [(a.title, a.recorded_at.isoformat(), a.acts) for a in generate(seed, units=40, years=4)],
        ensure_ascii=False,
    )


def test_a_seed_gives_the_same_corpus_byte_for_byte() -> None:
    # Given the same seed twice, the signed acts (ids, times, signatures) are identical
    assert _dump(7) == _dump(7)
    # And another seed gives another corpus
    assert _dump(7) != _dump(8)


def test_a_corpus_has_exactly_the_events_asked_for_in_recording_order(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # Long lists are split into annexes of at most LARGEST_BATCH acts, one batch each
    monkeypatch.setattr(announcements_module, "LARGEST_BATCH", 20)
    announcements = list(corpus(events=700, seed=3))
    assert sum(len(a) for a in announcements) == 700
    assert max(len(a) for a in announcements[1:]) == 20  # after the founding
    assert any("annex 2" in a.title for a in announcements)
    times = [a.recorded_at for a in announcements]
    assert times == sorted(times)
    assert len(set(times)) == len(times)


def test_units_have_real_divisions_and_valid_credit_codes() -> None:
    registrations = [
        act["act"]
        for a in generate(5, units=200, years=3)
        for act in a
        if act["act"]["type"] == "register_unit"
    ]
    assert registrations
    for unit in registrations:
        check_division(unit["division"])
        if unit["credit_code"] is not None:
            assert uscc.is_valid(unit["credit_code"])
            assert unit["credit_code"][2:8] == unit["division"]
    kinds = Counter(u["kind"] for u in registrations)
    assert kinds["enterprise"] > kinds["park"] > 0


def test_lives_cover_every_programme_and_path() -> None:
    # A dry run (unsigned) of a few thousand units over ten years
    drafts = [d for year in plans(11, 3_000, 2016, 10) for p in year for d in p.drafts]
    types = Counter(d.act_type for d in drafts)
    assert set(types) == {
        "register_unit",
        "designate",
        "rename",
        "file_report",
        "warn",
        "record_complaint",
        "decide_complaint",
        "lift_warning",
        "remove",
        "disqualify",
        "approve_creation",
        "extend_creation",
        "name_park",
    }
    programmes = {d.fields.get("programme") for d in drafts} - {None}
    assert programmes == {
        "green_factory",
        "green_park",
        "green_supply_chain",
        "zj_low_carbon_park",
        "eco_park",
    }
    # Removals bring bans, and some units are listed again once their ban is over
    removed_on: dict[str, list[object]] = {}
    relisted_after_ban = 0
    for d in drafts:
        unit = d.fields.get("unit")
        if d.act_type == "remove":
            removed_on.setdefault(unit, []).append(d.effective)
        elif d.act_type in ("designate", "approve_creation") and unit in removed_on:
            relisted_after_ban += 1
    assert relisted_after_ban > 10
    # Some reports are late (flagged by the registry), some are missing
    assert types["file_report"] > types["designate"]


def test_a_small_corpus_is_accepted_by_the_registry(database_url: str) -> None:
    # Every act of every batch is accepted: populate checks each receipt and the stored count
    stats = populate(database_url, events=900, seed=13)
    assert stats.events == stats.acts == 900
    assert stats.acts_by_type["register_unit"] == len(stats.unit_refs) > 50
    kinds = ("designate", "file_report", "rename", "record_complaint", "decide_complaint", "remove")
    for kind in kinds:
        assert stats.acts_by_type[kind] > 0
    assert stats.flags_by_code.get("late_report", 0) > 0


def test_a_cached_store_is_built_once_with_its_log_key(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(store_module, "CACHE", tmp_path)
    # The first call builds the store, its manifest and its seed-derived log key
    path = cached_sqlite_store(300, seed=21)
    manifest = read_manifest(path)
    assert manifest["events"] == 300
    assert len(manifest["unit_refs"]) == manifest["acts_by_type"]["register_unit"]
    key = store_module.log_key_path(path).read_text().strip()
    assert key == b64encode(keyring(21).log_signer().seed)
    assert not list(tmp_path.glob("*.building*"))
    registry = open_registry(f"sqlite:///{path}")
    try:
        assert registry.event_count() == 300
    finally:
        registry.close()
    # The second call finds it and builds nothing
    modified = path.stat().st_mtime_ns
    assert cached_sqlite_store(300, seed=21) == path
    assert path.stat().st_mtime_ns == modified


def test_a_kept_store_behind_the_schema_gets_a_copy_with_its_read_models_rebuilt(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A kept store made before a migration that drops the read models is read through a
    migrated copy whose read models are rebuilt, as ``greenreg migrate`` leaves a store: not
    left empty for every bench's copy of it to fold event by event."""
    monkeypatch.setattr(store_module, "CACHE", tmp_path)
    path = cached_sqlite_store(300, seed=22)
    known = known_migrations(persistence_env(f"sqlite:///{path}"))
    last = [migration for migration in known if "_refold_" in migration][-1]
    with sqlite3.connect(path) as connection:  # as a release before the last refold made it
        connection.execute(f"DELETE FROM {VERSION_TABLE} WHERE migration_id = ?", [last])  # noqa: S608
    copy = cached_sqlite_store(300, seed=22)
    assert copy != path
    assert known[-1] in copy.name
    assert not list(tmp_path.glob("*-wal"))  # one self-contained file, as benches copy it
    with sqlite3.connect(copy) as connection:
        [(units,)] = connection.execute("SELECT COUNT(*) FROM rm_units").fetchall()
        [(ready,)] = connection.execute("SELECT COUNT(*) FROM rm_unit_rows").fetchall()
        [(position,)] = connection.execute("SELECT position FROM rm_tracking").fetchall()
    assert units == ready > 20
    assert position == 300
