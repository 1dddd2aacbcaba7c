"""Commands of the shipped public lists: import."""

from __future__ import annotations
