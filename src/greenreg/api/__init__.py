"""The HTTP interface (FastAPI): REST, the /graphql mount, signed-act intake, health, metrics."""

from greenreg.api.app import create_app

__all__ = ["create_app"]
