"""How ``greenreg serve`` runs the API: one app per worker process, built from the environment.

uvicorn starts each worker by importing :func:`app_from_environment` (a factory), so every
worker opens its own ``Greenreg`` on ``GREENREG_DATABASE_URL`` and logs JSON lines.
"""

from __future__ import annotations

from fastapi import FastAPI

from greenreg.api.app import create_app
from greenreg.api.request_log import configure_json_logging
from greenreg.bootstrap import open_greenreg

FACTORY = "greenreg.api.server:app_from_environment"


def app_from_environment() -> FastAPI:
    """The app over the database named by ``GREENREG_DATABASE_URL`` (default ./greenreg.db)."""
    configure_json_logging()
    return create_app(open_greenreg(), close_on_shutdown=True)
