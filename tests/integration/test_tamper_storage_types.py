"""An operator who rewrites a stored event's state as SQLite TEXT: the same text is the same
event (its UTF-8 bytes are what the log's leaf covers) and verifies; a changed text is named by
its position and event id, never a crash."""

from __future__ import annotations

from pathlib import Path
from uuid import UUID

import pytest

from tests.integration.test_tamper import (
    Tamperer,
    position_of,
    problem_lines,
    story,  # noqa: F401 (the fixture)
    verify,
)
from tests.support import World

pytestmark = pytest.mark.parametrize(
    "database_url", ["sqlite"], indirect=True
)  # PostgreSQL's state column is bytea: it cannot hold text
REWRITE = "UPDATE {events} SET state = ? WHERE originator_id = ? AND originator_version = 3"


def stored_state(db: Tamperer, park: UUID) -> bytes:
    query = "SELECT state FROM {events} WHERE originator_id = ? AND originator_version = 3"
    return bytes(db.execute(query, (db.db_id(park),))[0][0])


def test_the_same_state_as_text_still_verifies(
    story: tuple[World, UUID, Tamperer],  # noqa: F811 (the fixture)
    tmp_path: Path,
) -> None:
    world, park, db = story
    db.execute(REWRITE, (stored_state(db, park).decode("utf-8"), db.db_id(park)))
    assert db.execute(
        "SELECT typeof(state) FROM {events} WHERE originator_id = ? AND originator_version = 3",
        (db.db_id(park),),
    ) == [("text",)]

    code, output = verify(world, tmp_path)

    assert code == 0, output


def test_a_changed_state_as_text_is_named(
    story: tuple[World, UUID, Tamperer],  # noqa: F811 (the fixture)
    tmp_path: Path,
) -> None:
    world, park, db = story
    text = stored_state(db, park).decode("utf-8").replace("2024-06-10", "2024-06-11")
    db.execute(REWRITE, (text, db.db_id(park)))

    code, output = verify(world, tmp_path)

    assert code == 1, output
    position = position_of(world, park, 3)
    named = [
        line for line in problem_lines(output) if f"position {position} event {park} v3" in line
    ]
    assert any("[leaf]" in line for line in named), output
