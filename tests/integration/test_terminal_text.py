"""Stored text reaches an operator's terminal escaped: no raw control character, no rich markup.

A unit's name, as an authority signed it, holds an ANSI colour sequence, rich markup, a bidi
override, a C1 control (CSI) and DEL. ``greenreg unit`` and ``greenreg events`` show all of it in
visible form, and the events' JSON lines still read back to the exact name.

Today the act reader refuses such text at the door (``greenreg.events.text``), so the store here
is written as a registry from before that check wrote it: with the text check switched off while
the acts are recorded. A store of that age is what an operator's terminal may still meet.
"""

from __future__ import annotations

import json
import re

import pytest
from typer.testing import CliRunner

from greenreg.cli import app
from greenreg.events import acts
from tests.support import World

runner = CliRunner()
NAME = "\x1b[31m红色园区\x1b[0m [bold]粗体[/bold] \u202e倒序\x9b2J\x7f"
BATCH = "\x1b]0;窗口标题\x07第一批"
RAW = re.compile(
    "[\x00-\x09\x0b-\x1f\x7f-\x9f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]"
)
"""What must never reach the terminal raw (a newline between lines aside)."""


@pytest.fixture
def park(world: World, monkeypatch: pytest.MonkeyPatch) -> str:
    monkeypatch.setattr(acts, "check_act_text", lambda act: None)  # an older registry
    park = world.register("js-eit", NAME, "320505")
    world.submit(
        "js-eit",
        "designate",
        unit=str(park),
        effective_date="2020-01-01",
        programme="green_park",
        jurisdiction="320000",
        batch=BATCH,
        grade=None,
    )
    return str(park)


def test_greenreg_unit_shows_a_hostile_name_escaped(park: str, database_url: str) -> None:
    result = runner.invoke(app, ["unit", park, "--database", database_url])

    assert result.exit_code == 0, result.output
    assert not RAW.search(result.output), repr(result.output)
    assert "\\u001b[31m红色园区\\u001b[0m" in result.output  # visible, not a colour
    assert "[bold]粗体[/bold]" in result.output  # printed literally, not as markup
    assert "\\u202e倒序\\u009b2J\\u007f" in result.output
    assert "\\u001b]0" in result.output  # the batch, in the table (cut to its width)


def test_greenreg_events_prints_json_lines_that_read_back_exactly(
    park: str, database_url: str
) -> None:
    result = runner.invoke(app, ["events", "--database", database_url])

    assert result.exit_code == 0, result.output
    assert not RAW.search(result.output), repr(result.output)
    acts = [json.loads(json.loads(line)["signed_act"]) for line in result.output.splitlines()]
    assert [a["name"] for a in acts if a["type"] == "register_unit"] == [NAME]
    assert [a["batch"] for a in acts if a["type"] == "designate"] == [BATCH]
