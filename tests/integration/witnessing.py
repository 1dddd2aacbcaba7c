"""Witnesses and registries on loopback for the witnessing tests: real HTTP (uvicorn in a
thread), real keys, each witness with its own SQLite store. :func:`one_witness` is the
``witnessed`` fixture: a registry whose policy is one witness of one."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import uvicorn
from fastapi.testclient import TestClient

from greenreg.api import create_app
from greenreg.bootstrap import Greenreg, open_greenreg
from greenreg.events.signing import Ed25519Signer, b64encode
from greenreg.registry.checkpoints import verifier_key
from greenreg.storage.log_key import declare
from greenreg.storage.log_tables import LogTables
from greenreg.subscribers.api_keys import ApiKeys
from greenreg.witness.app import witness_app
from greenreg.witness.cosignature import WitnessKey
from greenreg.witness.service import Witness, trusted_logs
from greenreg.witness.state import WitnessState
from greenreg.witness.submitter import Submitter, WitnessConfig, WitnessEndpoint
from tests.e2e.server import free_port
from tests.support import World


@contextmanager
def on_loopback(app: Any) -> Iterator[str]:
    """Serve ``app`` on a free loopback port until the block ends; yields its base URL."""
    config = uvicorn.Config(app, host="127.0.0.1", port=free_port(), log_level="warning")
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        assert thread.is_alive()
        assert time.monotonic() < deadline
        time.sleep(0.02)
    try:
        yield f"http://127.0.0.1:{config.port}"
    finally:
        server.should_exit = True
        thread.join(timeout=20)


WITNESS = "witness.test/only"


class Cosigning:
    """A registry under a witness policy, as the witnessing tests drive it."""

    world: World
    facade: Greenreg
    config: WitnessConfig
    log: LogTables

    def cosign(self) -> int:
        """One round of the registry's witness loop; how many witnesses cosigned."""
        submitter = Submitter(self.log, self.config)
        try:
            return submitter.run_once()
        finally:
            submitter.stop()

    def park(self, name: str = "苏州高新技术产业开发区") -> str:
        """A designated park, readable at once."""
        park = str(self.world.register("js-eit", name, "320505"))
        self.world.submit(
            "js-eit", "designate", unit=park, effective_date="2020-01-01",
            programme="green_park", jurisdiction="320000", batch="第一批", grade=None,
        )  # fmt: skip
        self.facade.projector.catch_up()
        return park


@dataclass
class Witnessed(Cosigning):
    """A registry whose policy is one witness of one, and the options that verify under it."""

    world: World
    facade: Greenreg
    client: TestClient
    config: WitnessConfig
    log: LogTables
    options: list[str]
    """``receipt verify``'s options: the root public key, then the witness's key."""


def one_witness(world: World, database_url: str, tmp_path: Path) -> Iterator[Witnessed]:
    """The registry of ``world`` over ``database_url`` with a policy of one witness of one, the
    witness on loopback, and an API client with a key (the ``witnessed`` fixture)."""
    declare(world.registry, world.root.signer, world.clock.now)  # as greenreg init does
    log = world.registry.recorder
    assert isinstance(log, LogTables)
    assert log.log_signer is not None
    logs = trusted_logs([verifier_key(log.log_origin, log.log_signer.public_key)])
    with ExitStack() as stack:
        state = WitnessState(tmp_path / "witness.db")
        stack.callback(state.close)
        witness = Witness(WITNESS, Ed25519Signer.generate(), logs, state)
        url = stack.enter_context(witness_on_loopback(witness))
        config = WitnessConfig((WitnessEndpoint(witness.key, url),), 1)
        facade = open_greenreg(database_url, clock=world.clock)
        stack.callback(facade.close)
        _, api_key = ApiKeys(facade.queries.store).issue("a bank")  # a bulk job needs one
        client = stack.enter_context(TestClient(create_app(facade, witnesses=config)))
        client.headers["Authorization"] = f"Bearer {api_key}"
        root = tmp_path / "root.pub"
        root.write_text(b64encode(world.root.signer.public_key) + "\n")
        options = ["--root-public-key", str(root), *write_keys(tmp_path, [witness.key])]
        yield Witnessed(world, facade, client, config, log, options)


def witness_on_loopback(witness: Witness) -> Any:
    return on_loopback(witness_app(witness))


def write_keys(tmp_path: Path, keys: list[WitnessKey]) -> list[str]:
    """Each witness's verifier key in a file, as the ``--witness-key`` options naming them."""
    args = []
    for key in keys:
        path = tmp_path / f"{key.name.replace('/', '_')}.vkey"
        path.write_text(key.vkey + "\n")
        args += ["--witness-key", str(path)]
    return args


def policy_file(tmp_path: Path, config: WitnessConfig) -> Path:
    """The registry's witness policy file, as ``greenreg serve --witnesses`` reads it."""
    path = tmp_path / "witnesses.json"
    witnesses = [{"url": e.url, "vkey": e.key.vkey} for e in config.endpoints]
    path.write_text(json.dumps({"required": config.required, "witnesses": witnesses}))
    return path
