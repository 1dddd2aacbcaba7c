"""Witnesses and registries on loopback for the witnessing tests: real HTTP (uvicorn in a
thread), real keys, each witness with its own SQLite store."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import uvicorn

from greenreg.witness.app import witness_app
from greenreg.witness.cosignature import WitnessKey
from greenreg.witness.service import Witness
from greenreg.witness.submitter import WitnessConfig
from tests.e2e.server import free_port


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
