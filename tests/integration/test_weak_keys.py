"""Keys anyone can sign under are refused at the door, and named where an old log holds one.

Three weak public keys: the identity point, the identity written with y = p + 1 (a non-canonical
encoding), and the point of order 2. Under each, an act "signed" with R = B and S = 1 (no private
key at all) passes OpenSSL's verification (see :mod:`tests.forgery`).
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from greenreg.bootstrap import open_registry
from greenreg.cli import app
from greenreg.errors import SignatureError
from greenreg.events.acts import parse_act, read_signed_act
from greenreg.events.canonical import canonical_bytes
from greenreg.events.signing import b64encode, key_id_of
from greenreg.events.vocabulary import Designated, KeyAdded, RegistryEvent
from greenreg.registry.commands.common import event_fields
from greenreg.storage.log_key import declare
from tests.forgery import WEAK_KEYS, forged_act
from tests.support import Clock, World

runner = CliRunner()
KEYS = pytest.mark.parametrize("weak", list(WEAK_KEYS), ids=lambda name: name.split()[0])


@KEYS
def test_a_weak_key_is_refused_at_add_key(world: World, weak: str) -> None:
    public_key = WEAK_KEYS[weak]
    act = _root_act(world, public_key)
    before = world.snapshot()

    with pytest.raises(SignatureError, match=f"{key_id_of(public_key)} cannot be used"):
        world.registry.submit(act)

    assert world.snapshot() == before
    assert key_id_of(public_key) not in world.registry.authority("js-eit").keys


def _root_act(world: World, public_key: bytes) -> dict[str, Any]:
    return world.act(
        world.root,
        "add_key",
        effective_date="2026-01-01",
        document="key registration",
        for_authority="js-eit",
        public_key=b64encode(public_key),
        valid_from=(world.clock.now - timedelta(days=1)).isoformat(),
        valid_until=None,
    )


@KEYS
def test_a_registry_founded_on_a_weak_root_key_is_refused(database_url: str, weak: str) -> None:
    """The founding act is self-signed by the root key it declares: with a weak key, anyone
    could found the registry (R = B, S = 1), so the key is refused and nothing is recorded."""
    public_key = WEAK_KEYS[weak]
    registry = open_registry(database_url, clock=Clock())
    try:
        act = forged_act(
            "root",
            public_key,
            "found_registry",
            effective_date="2026-01-01",
            document="greenreg founding",
            signed_at=datetime(2026, 11, 21, 3, 0, tzinfo=UTC),
            name="a registry without a private key",
            root_public_key=b64encode(public_key),
        )
        with pytest.raises(SignatureError, match="anyone could sign under it"):
            registry.submit(act)
        assert registry.event_count() == 0
    finally:
        registry.close()


def smuggle(
    world: World,
    aggregate: Any,
    event_class: type[RegistryEvent],
    act: dict[str, Any],
    **extra: Any,
) -> int:
    """Record ``act``'s event without the registry's checks, in the log, as an older registry
    that took any 32 bytes for a key would have recorded it; return the event's version."""
    body, key_id, signature = read_signed_act(act)
    parsed = parse_act(body, canonical_bytes(body), key_id, signature)
    signer_id = world.registry.authority(parsed.authority).id
    aggregate.record(event_class, **extra, **event_fields(parsed, signer_id, world.clock.now))
    world.registry.save(aggregate)  # the log stays on: the operator signs a checkpoint over it
    return int(aggregate.version)


def verify(world: World, database_url: str, tmp_path: Path) -> tuple[int, str]:
    root = tmp_path / "root.pub"
    root.write_text(b64encode(world.root.signer.public_key) + "\n")
    result = runner.invoke(
        app, ["verify", "--database", database_url, "--root-public-key", str(root)]
    )
    return result.exit_code, result.output


def test_a_weak_key_in_an_old_log_is_named_and_its_forgeries_refused(
    world: World, database_url: str, tmp_path: Path
) -> None:
    declare(world.registry, world.root.signer, world.clock.now)
    park = world.register("js-eit", "苏州工业园区", "320505")
    public_key = WEAK_KEYS["order 2"]
    weak_id = key_id_of(public_key)
    # An older registry recorded the root's add_key for a key of order 2 ...
    authority = world.registry.authority("js-eit")
    smuggle(world, authority, KeyAdded, _root_act(world, public_key), new_key_id=weak_id)
    assert weak_id in world.registry.authority("js-eit").keys
    # ... so anyone can "sign" for js-eit: R = B, S = 1 passes OpenSSL.
    designation = forged_act(
        "js-eit",
        public_key,
        "designate",
        effective_date="2020-01-01",
        document="伪造",
        signed_at=world.clock.now,
        unit=str(park),
        programme="green_park",
        jurisdiction="320000",
        batch="第一批",
        grade=None,
    )

    # Today's registry refuses the forgery, and records nothing.
    before = world.snapshot()
    with pytest.raises(SignatureError, match=f"{weak_id} cannot be used"):
        world.registry.submit(designation)
    assert world.snapshot() == before

    # The old registry recorded it; verify names the key (authority, key id, why) and the act.
    version = smuggle(world, world.registry.unit(str(park)), Designated, designation)
    code, output = verify(world, database_url, tmp_path)

    assert code == 1, output
    problems = [line for line in output.splitlines() if line.startswith("problem")]
    assert any(
        "[key]" in line and f"key {weak_id} of js-eit is weak" in line and "order 2" in line
        for line in problems
    ), output
    assert any(
        f"event {park} v{version}" in line
        and f"signed with key {weak_id}, which anyone can sign under" in line
        for line in problems
    ), output


def test_verify_refuses_a_weak_trust_anchor(
    world: World, database_url: str, tmp_path: Path
) -> None:
    """An inspector handed the identity point as the root public key is told so, not told that
    a log "signed" under it verifies."""
    anchor = tmp_path / "root.pub"
    anchor.write_text(b64encode(WEAK_KEYS["identity"]) + "\n")

    result = runner.invoke(
        app, ["verify", "--database", database_url, "--root-public-key", str(anchor)]
    )

    assert result.exit_code == 3, result.output  # refused
    assert "the identity point" in result.output
