"""A real server for end-to-end tests: uvicorn on a free loopback port, in a thread."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager

import httpx
import uvicorn
from starlette.types import ASGIApp

from greenreg.api import create_app
from greenreg.api.http_protocol import HttpProtocol
from greenreg.bootstrap import Greenreg

STARTUP_SECONDS = 20.0


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


@contextmanager
def serving_app(app: ASGIApp) -> Iterator[str]:
    """Serve ``app`` over HTTP on a free loopback port until the block ends; yields the base URL."""
    config = uvicorn.Config(
        app, host="127.0.0.1", port=free_port(), log_level="warning", http=HttpProtocol
    )
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + STARTUP_SECONDS
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            raise RuntimeError("the test server did not start")
        time.sleep(0.02)
    try:
        yield f"http://127.0.0.1:{config.port}"
    finally:
        server.should_exit = True
        thread.join(timeout=STARTUP_SECONDS)


@contextmanager
def serving(facade: Greenreg) -> Iterator[str]:
    """Serve ``create_app(facade)`` over HTTP until the block ends; yields the base URL."""
    with serving_app(create_app(facade)) as base:
        assert httpx.get(f"{base}/healthz").status_code == 200
        yield base
