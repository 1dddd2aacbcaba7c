"""Commands of serving the registry over HTTP."""

from __future__ import annotations
