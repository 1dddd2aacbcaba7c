"""Where the operator's log key lives, and how a registry gets its transparency log.

The log key signs checkpoints and receipts. It is found, in this order:

1. ``GREENREG_LOG_KEY``: the path of a private key file as ``greenreg keys new`` writes it
   (PKCS#8 PEM; an old file holding the base64 seed is read too). Production sets this, for
   both databases.
2. SQLite, embedded default: ``<database file>.log-key`` beside the database, generated on first
   use (mode 0600).
3. PostgreSQL without ``GREENREG_LOG_KEY``: a key generated on first use and kept in the table
   ``greenreg_log_secret`` of the registry's schema. This is for development and tests: anyone
   who can read that table can sign checkpoints.

The key signs as the log ``GREENREG_LOG_ORIGIN`` (default ``greenreg.log``). Inspectors learn the
log public key from the root key's declaration, a log entry (see
:mod:`greenreg.registry.checkpoints`), made with ``greenreg log declare-key``.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Any

from greenreg.errors import ConflictError, GreenregError
from greenreg.events.signing import Ed25519Signer, Signer, b64decode, b64encode, key_id_of
from greenreg.key_files import publish
from greenreg.key_formats import private_key_text, read_private_key
from greenreg.registry.authority import ROOT
from greenreg.registry.checkpoints import DEFAULT_ORIGIN, check_key_name, declare_log_key
from greenreg.storage.log_tables import LogTables

logger = logging.getLogger("greenreg.log_key")
logger.addHandler(logging.NullHandler())  # said in the server's log, not over a command's output

IN_DATABASE = (
    "the log key is kept in the database table greenreg_log_secret: anyone who can read that "
    "table can sign checkpoints and receipts; for production give it as a file with "
    "GREENREG_LOG_KEY (docs/deployment.md)"
)


def log_origin() -> str:
    origin = os.environ.get("GREENREG_LOG_ORIGIN") or DEFAULT_ORIGIN
    return check_key_name(origin, "the log origin GREENREG_LOG_ORIGIN")


def read_key_file(path: Path) -> Ed25519Signer:
    try:
        return read_private_key(path)
    except GreenregError as error:
        raise GreenregError(f"cannot read the log key: {error}") from error


def _key_beside(database_file: str) -> Ed25519Signer:
    """The key file beside the database, made whole (never half-written, never replaced) before
    the first checkpoint it signs is stored."""
    path = Path(f"{database_file}.log-key")
    signer = Ed25519Signer.generate()
    if publish(path, private_key_text(signer), mode=0o600, replace=False):
        return signer
    return read_key_file(path)


def _key_in_database(recorder: Any) -> Ed25519Signer:
    logger.warning(IN_DATABASE)  # said each time a process opens the store, never silent
    table = recorder.table("greenreg_log_secret")
    with recorder.datastore.transaction(commit=True) as c:
        c.execute(f"CREATE TABLE IF NOT EXISTS {table} (id integer PRIMARY KEY, seed text)")
        c.execute(f"SELECT seed FROM {table} WHERE id = 1")  # noqa: S608 (our own table name)
        rows = c.fetchall()
        if rows:
            return Ed25519Signer.from_seed(b64decode(rows[0]["seed"], "stored log key"))
        signer = Ed25519Signer.generate()
        c.execute(
            f"INSERT INTO {table} (id, seed) VALUES (1, %s) ON CONFLICT (id) DO NOTHING",  # noqa: S608
            (b64encode(signer.seed),),
        )
    return _key_in_database(recorder) if rows else signer


def load_log_key(recorder: LogTables, sqlite_file: str | None) -> Ed25519Signer:
    """The log key for this store (see the module docstring for the order)."""
    configured = os.environ.get("GREENREG_LOG_KEY")
    if configured:
        return read_key_file(Path(configured))
    if sqlite_file is not None:
        return _key_beside(sqlite_file)
    return _key_in_database(recorder)


def attach_log(registry: Any, env: dict[str, str]) -> None:
    """Give the registry's recorder its log key, so every write signs a checkpoint."""
    recorder = registry.recorder
    if isinstance(recorder, LogTables):
        sqlite_file = env.get("SQLITE_DBNAME")
        recorder.configure_log(load_log_key(recorder, sqlite_file), log_origin())


def declare(
    registry: Any,
    root: Signer,
    valid_from: datetime,
    submit: Callable[[dict[str, Any]], object] | None = None,
) -> dict[str, Any]:
    """The root's declaration of this registry's log key (``greenreg log declare-key``),
    recorded as a log entry (through ``submit``, the facade's where the read models must follow;
    the registry's by default) and kept beside the checkpoints. A key already recorded is not
    declared again: its recorded declaration is answered."""
    recorder = registry.recorder
    if not isinstance(recorder, LogTables) or recorder.log_signer is None:
        raise GreenregError("this registry has no transparency log key to declare")
    signer = recorder.log_signer
    if signer.key_id in registry.authority(ROOT).log_keys:
        for declaration in recorder.log_key_declarations():
            if "act_id" in declaration.get("act", {}) and _declares(declaration, signer.key_id):
                return declaration
    declaration = declare_log_key(
        root, signer.public_key, recorder.log_origin, valid_from, signed_at=registry.clock()
    )
    try:
        (submit or registry.submit)(declaration)
    except ConflictError:  # another process declared it at the same moment
        if signer.key_id not in registry.authority(ROOT).log_keys:
            raise
        return declare(registry, root, valid_from, submit)
    recorder.store_log_key_declaration(signer.key_id, declaration)
    return declaration


def _declares(declaration: dict[str, Any], key_id: str) -> bool:
    try:
        key = b64decode(str(declaration["act"]["public_key"]), "log public key")
    except (KeyError, TypeError, GreenregError):
        return False
    return key_id_of(key) == key_id
