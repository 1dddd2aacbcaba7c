"""A test's founded world copied from one founded once per process.

Every registry test's ``world`` is a store founded the same way: the root, seven authorities
each with a key, five adoptions of rules, twenty signed acts and twenty signed checkpoints
(0.15 s on the PostgreSQL server, 0.03 s on SQLite, for each of some 1,600 tests).
:func:`founded_world` copies a store this process founded once instead (the SQLite file, or
the PostgreSQL schema's dump with its rows, as :mod:`tests.migrated` copies the migrated one),
with its log key, and gives it the same root and authority keys: the store, its log and its
keys are then those the founding makes (``tests/integration/test_founded_template.py``). Worlds
of one test process share those keys; a test that needs keys of its own founds its ``World``.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from pathlib import Path

from greenreg.bootstrap import database_url, persistence_env
from greenreg.events.issuer import Issuer
from greenreg.key_files import publish
from greenreg.storage.log_key import unconfigured_key_path
from tests.migrated import Made, copy_store, made_once, migrate_from_template, store_kind
from tests.support import World


@dataclass(frozen=True)
class Founding:
    """A store founded once, its log key's file and the keys the founding signed with."""

    store: Made
    log_key: str | None
    """The log key file's text (``None``: the key is configured, ``GREENREG_LOG_KEY``)."""
    root: Issuer
    issuers: dict[str, Issuer]


def founded_world(url: str) -> World:
    """The world of a fresh store at ``url`` (a SQLite file not made yet, or an empty schema on
    the test server), founded as ``World(url)`` founds one."""
    founding = _founding(store_kind(url))
    copy_store(founding.store, url)
    if founding.log_key is not None:
        publish(log_key_path(url), founding.log_key, mode=0o600, replace=False)
    return World.founded_as(url, founding.root, founding.issuers)


def log_key_path(url: str) -> Path:
    """Where a store made for a test keeps its log key (none is configured in the tests)."""
    env = persistence_env(database_url(url))
    return unconfigured_key_path(env.get("SQLITE_DBNAME"), env)


@cache
def _founding(kind: str) -> Founding:
    founded: list[tuple[World, str | None]] = []  # the world founded, its log key's file

    def found(url: str) -> None:
        migrate_from_template(url)
        world = World(url)
        world.close()
        key = log_key_path(url)
        founded.append((world, key.read_text() if key.exists() else None))
        if kind == "postgres":
            key.unlink(missing_ok=True)  # the schema is dropped once dumped

    store = made_once(kind, found)
    world, log_key = founded[0]
    return Founding(store, log_key, world.root, world.issuers)
