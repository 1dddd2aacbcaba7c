"""The store's schema version, on SQLite and PostgreSQL: a store made by the release before
migrations (recorded in ``tests/fixtures/previous_release``, see ``make_stores.py`` there) is
refused until ``greenreg migrate``, then verifies and answers as that release did; a store of an
unknown (newer) version is refused; a fresh store is migrated when first opened."""

from __future__ import annotations

import json
import shutil
import socket
from pathlib import Path
from typing import Any

import psycopg
import pytest
from eventsourcing.persistence import OperationalError
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from greenreg.api.app import create_app
from greenreg.bootstrap import open_greenreg, open_read_store, open_registry, persistence_env
from greenreg.cli.common import app
from greenreg.errors import SchemaVersionError
from greenreg.projections.database import ReadStore
from greenreg.projections.digest import DIGESTS, as_text, tables_sum
from greenreg.storage.schema_version import VERSION_TABLE, known_migrations, schema_state
from greenreg.subscribers.api_keys import ApiKeys
from tests.support import World

PREVIOUS = Path(__file__).parent.parent / "fixtures" / "previous_release"
RECORDED = json.loads((PREVIOUS / "answers.json").read_text())
REFOLD = "0007_refold_rename_rules_and_names"


def dialect(url: str) -> str:
    return "sqlite" if url.startswith("sqlite") else "postgres"


def previous_store(url: str) -> None:
    """Put the previous release's store at ``url`` (a fresh SQLite path or an empty schema)."""
    if dialect(url) == "sqlite":
        path = Path(persistence_env(url)["SQLITE_DBNAME"])
        shutil.copy(PREVIOUS / "store.db", path)
        shutil.copy(PREVIOUS / "store.db.log-key", f"{path}.log-key")
        Path(f"{path}.log-key").chmod(0o600)  # as greenreg made it (git keeps 0644)
        return
    schema = persistence_env(url)["POSTGRES_SCHEMA"]
    lines = (PREVIOUS / "postgres.sql").read_text().splitlines()
    script = "\n".join(
        line.replace("previous_release", f'"{schema}"')
        for line in lines
        if not line.startswith("\\") and line != "CREATE SCHEMA previous_release;"
    )
    with psycopg.connect(url.split("?", maxsplit=1)[0], autocommit=True) as connection:
        connection.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm SCHEMA public")
        connection.execute(script.encode())


def answers_alike(new: Any, old: Any) -> bool:
    """``new`` says all that ``old`` said, the same way: every field of the previous release's
    answer is there with the same value (a later release may add fields, never change one)."""
    if isinstance(old, dict):
        return isinstance(new, dict) and all(
            key in new and answers_alike(new[key], value) for key, value in old.items()
        )
    if isinstance(old, list):
        return (
            isinstance(new, list)
            and len(new) == len(old)
            and all(answers_alike(n, o) for n, o in zip(new, old, strict=True))
        )
    return bool(new == old)


def cli(*args: str) -> Any:
    return CliRunner().invoke(app, list(args))


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def ours(table: str) -> bool:
    """greenreg's own tables and their indexes (``greenreg_log_secret``: see the baseline)."""
    return table.startswith(("greenreg_", "job")) and not table.startswith(
        ("greenreg_events", "greenreg_log_secret")
    )


def describe_schema(url: str) -> list[tuple[Any, ...]]:
    """greenreg's own tables (not eventsourcing's, not the read models, not yoyo's), as the
    database describes them: every column's type, nullability and default, every index."""
    env = persistence_env(url)
    store = ReadStore(env)
    try:
        if store.dialect == "sqlite":
            rows = store.query("SELECT type, name, sql FROM sqlite_master ORDER BY name")
            return [tuple(row) for row in rows if ours(str(row[1]))]
        schema = env["POSTGRES_SCHEMA"]
        columns = store.query(
            "SELECT table_name, column_name, data_type, is_nullable, column_default, "
            "is_identity FROM information_schema.columns WHERE table_schema = ? "
            "ORDER BY table_name, ordinal_position",
            (schema,),
        )
        indexes = store.query(
            "SELECT tablename, indexname, indexdef FROM pg_indexes WHERE schemaname = ? "
            "ORDER BY indexname",
            (schema,),
        )
        return [tuple(row) for row in columns if ours(row[0])] + [
            (table, name, definition.replace(f"{schema}.", ""))
            for table, name, definition in indexes
            if ours(table)
        ]
    finally:
        store.close()


def test_a_previous_release_store_is_refused_then_migrated_verified_and_read_alike(
    database_url: str,
) -> None:
    recorded = RECORDED[dialect(database_url)]
    previous_store(database_url)
    assert schema_state(persistence_env(database_url)).state == "behind"

    # Every command but migrate refuses it in one line naming 'greenreg migrate' (status 4).
    for args in (
        ["verify"],
        ["keys", "api", "list"],
        ["serve", "--port", str(free_port())],
    ):
        refused = cli(*args, "--database", database_url)
        assert refused.exit_code == 4, (args, refused.output)
        assert "version none (made before migrations)" in refused.output
        assert "'greenreg migrate'" in refused.output
    with pytest.raises(SchemaVersionError):
        open_registry(database_url)

    # The operator migrates: the baseline changes nothing in the tables, and records the version.
    migrated = cli("migrate", "--database", database_url)
    assert migrated.exit_code == 0, migrated.output
    assert "applied 0001_baseline, 0002_refold_read_models, 0003_job_threshold" in migrated.output
    assert "folded the read models anew from 23 events" in migrated.output
    assert schema_state(persistence_env(database_url)).state == "current"
    again = cli("migrate", "--database", database_url)
    assert again.exit_code == 0, again.output
    assert "nothing to do" in again.output

    # The whole log verifies, with the public keys only.
    verified = cli("verify", "--database", database_url)
    assert verified.exit_code == 0, verified.output

    # The reads answer exactly as the previous release did, and its API key still works.
    facade = open_greenreg(database_url)
    try:
        park = recorded["park"]
        with TestClient(create_app(facade)) as client:
            unit = client.get(f"/api/v1/units/{park}").json()
            assert answers_alike(unit, recorded["answers"]["unit"]), unit
            lookup = client.get("/api/v1/lookup", params={"q": "示例"}).json()
            assert answers_alike(lookup, recorded["answers"]["lookup"]), lookup
            check = client.post(
                "/api/v1/certifications",
                json={"refs": ["91320505MA1MX1MX87", park], "as_of": "2025-01-01"},
                headers={"Authorization": f"Bearer {recorded['api_key']}"},
            ).json()
            assert answers_alike(check, recorded["answers"]["check"]), check
        assert ApiKeys(facade.queries.store).holder(recorded["api_key"]) is not None
    finally:
        facade.close()


def test_the_baseline_migration_makes_the_previous_release_schema_exactly(
    database_url: str, tmp_path: Path
) -> None:
    """A fresh store migrated by this release has greenreg's tables and indexes exactly as a
    store of the previous release once migrated: the migrations are the only schema."""
    if dialect(database_url) == "sqlite":
        previous_url = f"sqlite:///{tmp_path / 'previous.db'}"
    else:
        schema = f"{persistence_env(database_url)['POSTGRES_SCHEMA']}_p"
        with psycopg.connect(database_url.split("?", maxsplit=1)[0], autocommit=True) as connection:
            connection.execute(f'CREATE SCHEMA "{schema}"')
        previous_url = f"{database_url.split('?', maxsplit=1)[0]}?schema={schema}"
    try:
        previous_store(previous_url)
        before = describe_schema(previous_url)
        migrated = cli("migrate", "--database", previous_url)
        assert migrated.exit_code == 0, migrated.output
        assert describe_schema(previous_url) != before  # 0003 gave jobs their threshold
        World(database_url).close()  # a fresh store: migrated when first opened
        assert schema_state(persistence_env(database_url)).applied == known_migrations(
            persistence_env(database_url)
        )
        fresh, previous = describe_schema(database_url), describe_schema(previous_url)
        assert len(fresh) > 10
        assert fresh == previous
    finally:
        if dialect(database_url) == "postgres":
            server = database_url.split("?", maxsplit=1)[0]
            with psycopg.connect(server, autocommit=True) as connection:
                connection.execute(f'DROP SCHEMA "{schema}" CASCADE')


def test_answers_alike_allows_additions_only() -> None:
    old = {"a": 1, "b": [{"c": "x"}]}
    assert answers_alike({"a": 1, "b": [{"c": "x", "d": 2}], "e": 3}, old)
    assert not answers_alike({"a": 2, "b": [{"c": "x"}]}, old)
    assert not answers_alike({"a": 1, "b": [{"c": "y"}]}, old)
    assert not answers_alike({"a": 1, "b": []}, old)
    assert not answers_alike({"b": [{"c": "x"}]}, old)


def test_a_store_of_a_newer_release_is_refused(database_url: str) -> None:
    World(database_url).close()
    store = open_read_store(database_url)
    try:
        store.execute(
            "INSERT INTO _yoyo_migration (migration_hash, migration_id, applied_at_utc) "
            "VALUES ('feed', '0999_from_the_future', '2999-01-01 00:00:00')"
        )
    finally:
        store.close()
    with pytest.raises(SchemaVersionError, match=r"0999_from_the_future.*newer greenreg"):
        open_registry(database_url)
    for args in (["migrate"], ["verify"]):
        refused = cli(*args, "--database", database_url)
        assert refused.exit_code == 4, refused.output
        assert "newer greenreg made it" in refused.output


def test_a_fresh_store_is_migrated_when_first_opened(database_url: str) -> None:
    env = persistence_env(database_url)
    assert schema_state(env).state == "fresh"
    store = open_read_store(database_url)
    store.close()
    state = schema_state(env)
    assert state.state == "current"
    assert state.applied == known_migrations(env)
    assert state.applied[:3] == ("0001_baseline", "0002_refold_read_models", "0003_job_threshold")


def test_a_store_that_does_not_answer_is_an_outage_not_a_version(tmp_path: Path) -> None:
    """Reading the version of a store that cannot be reached raises the event store's own
    OperationalError (CLI status 4, HTTP 503), not a refusal."""
    nowhere = f"postgresql://postgres@127.0.0.1:{free_port()}/greenreg"
    folder = tmp_path / "store.db"
    folder.mkdir()  # a folder where the SQLite file should be
    for url in (nowhere, f"sqlite:///{folder}"):
        with pytest.raises(OperationalError, match="cannot read the store's schema version"):
            schema_state(persistence_env(url))


def test_migration_0007_folds_the_read_models_anew(database_url: str) -> None:
    """A store at 0006 whose read models an earlier release folded (here: a rename's rules
    text in another order, as a rebuild of that release wrote it) is refolded by 'greenreg
    migrate', and the digest it commits is that of the new rows."""
    world = World(database_url)
    try:
        unit = world.register("js-eit", "苏州示例园区", "320505")
        on = {"unit": str(unit)}
        world.submit("js-eit", "designate", **on, effective_date="2024-08-01",
                     programme="green_supply_chain", jurisdiction="320000")  # fmt: skip
        world.submit("miit", "designate", **on, effective_date="2024-09-01",
                     programme="green_park", jurisdiction="CN")  # fmt: skip
        world.submit("js-eit", "rename", **on, effective_date="2024-10-01",
                     new_name="苏州示例绿色园区", reported_on="2024-10-08")  # fmt: skip
    finally:
        world.close()
    facade = open_greenreg(database_url)
    store = facade.queries.store
    select = "SELECT rules FROM rm_history WHERE event_type = 'Renamed'"
    [(folded,)] = store.query(select)
    first, second = folded.split("; ")
    store.execute("UPDATE rm_history SET rules = ? WHERE event_type = 'Renamed'",
                  [f"{second}; {first}"])  # fmt: skip
    store.execute(f"DELETE FROM {VERSION_TABLE} WHERE migration_id = ?", [REFOLD])  # noqa: S608
    facade.close()
    assert schema_state(persistence_env(database_url)).state == "behind"

    migrated = cli("migrate", "--database", database_url)
    assert migrated.exit_code == 0, migrated.output
    assert f"applied {REFOLD}" in migrated.output
    assert "folded the read models anew" in migrated.output
    facade = open_greenreg(database_url)
    store = facade.queries.store
    try:
        assert store.query(select) == [(folded,)]
        with store.snapshot() as cursor:
            rows = as_text(tables_sum(store, cursor))
        assert store.query(f"SELECT digest FROM {DIGESTS}") == [(rows,)]  # noqa: S608
    finally:
        facade.close()
