"""A store made from the tests' migrated template is the store the migrations make.

The registry tests' ``world`` brings its fresh store to the current schema from a template
(``tests/migrated.py``) instead of running every migration: the two must not differ in any
table, column, index, constraint, sequence or migration record, or every test of a ``world``
would test another store than the one a first ``greenreg serve`` makes.
"""

from __future__ import annotations

import re
import sqlite3
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest

from greenreg.bootstrap import database_url, persistence_env
from greenreg.storage.schema_version import ensure_current, schema_state
from tests.migrated import dumped, migrate_from_template
from tests.support import empty_database

TIME = re.compile(r"'\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}(\.\d+)?'")


def described(url: str) -> list[str]:
    """Every object of the store's schema and every migration record, in a stable order, its
    schema's own name left out."""
    if url.startswith("sqlite:///"):
        with sqlite3.connect(url.removeprefix("sqlite:///")) as connection:
            objects = connection.execute(
                "SELECT type, name, tbl_name, sql FROM sqlite_master ORDER BY type, name"
            ).fetchall()
            records = connection.execute(
                "SELECT migration_id, migration_hash FROM _yoyo_migration ORDER BY migration_id"
            ).fetchall()
        return [repr(row) for row in objects + records]
    schema = parse_qs(urlsplit(url).query)["schema"][0]
    dump = dumped(schema)
    lines = [
        line.replace(schema, "SCHEMA")
        for line in dump.splitlines()
        if line.strip() and not line.startswith(("--", "\\"))
    ]
    # The migration records' times differ from store to store (and yoyo's log, of who ran
    # them when): their ids and hashes do not.
    return sorted(TIME.sub("TIME", line) for line in lines if "_yoyo_log VALUES" not in line)


@pytest.mark.parametrize("kind", ["sqlite", "postgres"])
def test_a_store_from_the_template_is_the_migrated_store(
    kind: str, tmp_path: Path, postgres_url: str
) -> None:
    with (
        empty_database(kind, tmp_path / "migrated") as migrated,
        empty_database(kind, tmp_path / "template") as templated,
    ):
        for folder in (tmp_path / "migrated", tmp_path / "template"):
            folder.mkdir()
        ensure_current(persistence_env(database_url(migrated)))
        migrate_from_template(templated)
        assert schema_state(persistence_env(database_url(templated))).state == "current"
        made, copied = described(migrated), described(templated)
        assert len(made) > 40  # the tables, their indexes, the migration records
        assert copied == made
