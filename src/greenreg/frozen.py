"""Frozen dataclasses made with their fields set at once."""

from __future__ import annotations

from typing import Any, TypeVar

_T = TypeVar("_T")


def made(cls: type[_T], values: dict[str, Any]) -> _T:
    """``cls(**values)`` for a frozen dataclass whose every field ``values`` gives, in the
    fields' order, less its ``__post_init__`` (the caller calls it, if the class has one): the
    values set at once, as eventsourcing's mapper makes the events it reads, not by the
    dataclass's ``__init__``, which calls ``object.__setattr__`` once a field (most of the time
    of making a small object)."""
    instance = object.__new__(cls)
    object.__setattr__(instance, "__dict__", values)
    return instance
