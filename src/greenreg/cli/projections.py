"""Commands of read models: rebuild, and the projection worker."""

from __future__ import annotations
