"""An operator who holds the log key can append events that break the rules: the replay names them.

The operator here bypasses the registry's checks but uses the real signing authority's key and
the real log key, so every signature and every checkpoint verifies; only the rules (re-decided
in memory against the history before each act) can tell.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any
from uuid import UUID

import pytest
from typer.testing import CliRunner

from greenreg.cli import app
from greenreg.errors import GreenregError
from greenreg.events.acts import check_signature, parse_act, read_signed_act
from greenreg.events.signing import b64encode
from greenreg.events.vocabulary import Designated, Flag, RegistryEvent, Renamed, ReportFiled
from greenreg.registry.commands.common import event_fields
from greenreg.storage.log_key import declare
from tests.support import World

runner = CliRunner()


def verify(world: World, database_url: str, tmp_path: Path) -> tuple[int, str]:
    root = tmp_path / "root.pub"
    root.write_text(b64encode(world.root.signer.public_key) + "\n")
    result = runner.invoke(
        app, ["verify", "--database", database_url, "--root-public-key", str(root)]
    )
    return result.exit_code, result.output


def smuggle(
    world: World,
    unit_id: UUID,
    event_class: type[RegistryEvent],
    act: dict[str, Any],
    flags: list[Flag] | None = None,
) -> int:
    """Record ``act``'s event on the unit without the registry's checks; return its version."""
    issuer = world.issuers[act["act"]["authority"]]
    body, key_id, signature = read_signed_act(act)
    parsed = parse_act(
        body, check_signature(body, issuer.signer.public_key, signature), key_id, signature
    )
    unit = world.registry.unit(str(unit_id))
    authority_id = world.registry.authority(parsed.authority).id
    unit.record(event_class, **event_fields(parsed, authority_id, world.clock.now, flags))
    world.registry.save(unit)  # the log stays on: the operator signs a checkpoint over it
    return int(unit.version)


def problems(output: str) -> list[str]:
    return [line for line in output.splitlines() if line.startswith("problem")]


def test_a_banned_unit_designated_behind_the_registrys_back_is_named(
    world: World, database_url: str, tmp_path: Path
) -> None:
    declare(world.registry, world.root.signer, world.clock.now)
    park = world.register("js-eit", "苏州工业园区", "320505")
    listing = {"programme": "green_park", "jurisdiction": "320000", "grade": None}
    world.submit("js-eit", "designate", unit=str(park), effective_date="2020-01-01", **listing)
    world.submit(
        "js-eit",
        "remove",
        unit=str(park),
        effective_date="2024-09-02",
        programme="green_park",
        jurisdiction="320000",
        ground="fraud",
    )
    # The ban (003, in force in Jiangsu from 2024-07-19) runs through 2027-09-02: the registry
    # refuses this designation ...
    banned = world.act(
        "js-eit", "designate", unit=str(park), effective_date="2025-01-01", batch="x", **listing
    )
    before = world.snapshot()
    with pytest.raises(GreenregError, match="2027-09-02"):
        world.registry.submit(banned)
    assert world.snapshot() == before
    # ... so the operator records it by hand, properly signed and logged.
    version = smuggle(world, park, Designated, banned)

    code, output = verify(world, database_url, tmp_path)

    assert code == 1, output
    named = [line for line in problems(output) if f"event {park} v{version}" in line]
    assert any("[rules]" in line and "would refuse" in line for line in named), output
    assert all("[signature]" not in line and "[checkpoint]" not in line for line in named)


def a_late_rename_without_its_flag(world: World) -> tuple[UUID, int]:
    """A Chongqing park listed in 2020, then renamed (with 001 in force, from 2024-03-06) with a
    notice months late, stored without the flag the registry would raise (signed properly: only
    the rules can tell); the park and the rename's version."""
    declare(world.registry, world.root.signer, world.clock.now)
    park = world.register("cq-eit", "重庆某工业园区", "500112")
    world.submit(
        "cq-eit",
        "designate",
        unit=str(park),
        effective_date="2020-01-01",
        programme="green_park",
        jurisdiction="500000",
        batch="第一批",
        grade=None,
    )
    late = world.act(
        "cq-eit",
        "rename",
        unit=str(park),
        effective_date="2024-04-01",
        new_name="重庆某绿色园区",
        reported_on="2024-09-30",
    )
    version = smuggle(world, park, Renamed, late, flags=[])
    return park, version


def test_a_late_notice_recorded_without_its_flag_is_named(
    world: World, database_url: str, tmp_path: Path
) -> None:
    """The registry would flag a Chongqing rename reported months late; the stored event has
    no flag: the decision differs from the record and the field is named."""
    park, version = a_late_rename_without_its_flag(world)

    code, output = verify(world, database_url, tmp_path)

    assert code == 1, output
    named = [line for line in problems(output) if f"event {park} v{version}" in line]
    assert any("[rules]" in line and "flags" in line for line in named), output


def test_an_honest_history_with_flags_and_bans_verifies(
    world: World, database_url: str, tmp_path: Path
) -> None:
    declare(world.registry, world.root.signer, world.clock.now)
    park = world.register("cq-eit", "重庆某工业园区", "500112")
    world.submit(
        "cq-eit",
        "designate",
        unit=str(park),
        effective_date="2020-01-01",
        programme="green_park",
        jurisdiction="500000",
        batch="第一批",
        grade=None,
    )
    world.submit(
        "cq-eit",
        "rename",
        unit=str(park),
        effective_date="2024-04-01",
        new_name="重庆某绿色园区",
        reported_on="2024-09-30",
    )
    world.submit(
        "cq-eit",
        "remove",
        unit=str(park),
        effective_date="2025-01-02",
        programme="green_park",
        jurisdiction="500000",
        ground="false_materials",
    )

    code, output = verify(world, database_url, tmp_path)

    assert code == 0, output


@pytest.mark.parametrize("again", ["the same act", "another act"])
def test_an_act_recorded_twice_behind_the_registrys_back_is_named(
    world: World, database_url: str, tmp_path: Path, again: str
) -> None:
    # A report (an event the unit does not keep whole: the replay reads the act recorded the
    # first time back from the log to tell the same act from another under its id).
    declare(world.registry, world.root.signer, world.clock.now)
    park = world.register("js-eit", "苏州工业园区", "320505")
    listing = {"programme": "green_park", "jurisdiction": "320000", "grade": None}
    world.submit("js-eit", "designate", unit=str(park), effective_date="2020-01-01", **listing)
    fields = {"effective_date": "2021-03-01", "report": "dynamic_management_form"}
    first = world.act(
        "js-eit", "file_report", unit=str(park), year=2020, filed_on="2021-03-01", **fields
    )
    world.registry.submit(first)
    act_id = first["act"]["act_id"]
    second = (
        first
        if again == "the same act"
        else world.act(
            "js-eit",
            "file_report",
            unit=str(park),
            year=2021,
            filed_on="2021-03-01",
            act_id=act_id,
            **fields,
        )
    )
    version = smuggle(world, park, ReportFiled, second)

    code, output = verify(world, database_url, tmp_path)

    assert code == 1, output
    named = [line for line in problems(output) if f"event {park} v{version}" in line]
    expected = (
        f"act {act_id} was already recorded before"
        if again == "the same act"
        else "already used for a different act"
    )
    assert any("[rules]" in line and expected in line for line in named), output
