"""Commands of the transparency log: verify, export, receipts, green codes."""

from __future__ import annotations
