"""Every registry test runs twice: on SQLite and on the PostgreSQL server.

PostgreSQL is never skipped: when ``GREENREG_TEST_POSTGRES_URL`` (default: the local server,
database ``greenreg_test``) cannot be reached, the PostgreSQL half of the suite fails. Each test
gets its own schema, dropped afterwards.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest

from tests.support import World

POSTGRES_URL = os.environ.get(
    "GREENREG_TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/greenreg_test"
)


@pytest.fixture(params=["sqlite", "postgres"])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'greenreg.db'}"
        return
    schema = f"t_{uuid.uuid4().hex[:16]}"
    with psycopg.connect(POSTGRES_URL, autocommit=True) as connection:
        connection.execute(f'CREATE SCHEMA "{schema}"')
    try:
        yield f"{POSTGRES_URL}?schema={schema}"
    finally:
        with psycopg.connect(POSTGRES_URL, autocommit=True) as connection:
            connection.execute(f'DROP SCHEMA "{schema}" CASCADE')


@pytest.fixture
def world(database_url: str) -> Iterator[World]:
    w = World(database_url)
    try:
        yield w
    finally:
        w.close()
