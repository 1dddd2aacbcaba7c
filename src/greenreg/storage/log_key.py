"""Where the operator's log key lives, and how a registry gets its transparency log.

The log key signs checkpoints and receipts. It is never kept in the database it signs for
(:mod:`greenreg.key_custody`), and is found in this order:

1. ``GREENREG_LOG_KEY``: the path of a private key file (PKCS#8 PEM as ``greenreg keys new``
   writes it, or a secrets mount such as ``/run/secrets/greenreg_log_key``; an old file holding
   the base64 seed is read too), which no other user of the machine may read; or
   ``GREENREG_LOG_KEY_PEM``: the PEM text itself. Production sets one, for both databases.
2. SQLite, embedded default: ``<database file>.log-key`` beside the database, generated on first
   use (mode 0600).
3. PostgreSQL without either: a file generated on first use (mode 0600) in the user's data
   folder (``$XDG_DATA_HOME/greenreg/log-keys``, by default ``~/.local/share/...``), named after
   the database and schema. This is for development and tests, on one machine: every process
   that opens the store elsewhere would make a key of its own, so each process says so in its
   log. A key an earlier release kept in the table ``greenreg_log_secret`` is moved there and
   the table dropped.

The key signs as the log ``GREENREG_LOG_ORIGIN`` (default ``greenreg.log``). Inspectors learn the
log public key from the root key's declaration, a log entry (see
:mod:`greenreg.registry.checkpoints`), made with ``greenreg log declare-key``, which is also how
the key is rotated (README, "Private keys").
"""

from __future__ import annotations

import hashlib
import logging
import os
import re
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Any

from greenreg.errors import ConflictError, GreenregError, KeyFileError
from greenreg.events.signing import Ed25519Signer, Signer, b64decode, key_id_of
from greenreg.key_custody import key_from_environment, read_key_file
from greenreg.key_files import publish
from greenreg.key_formats import private_key_text
from greenreg.registry.authority import ROOT
from greenreg.registry.checkpoints import DEFAULT_ORIGIN, check_key_name, declare_log_key
from greenreg.storage.log_tables import LogTables

logger = logging.getLogger("greenreg.log_key")
logger.addHandler(logging.NullHandler())  # said in the server's log, not over a command's output

LOG_KEY_FILE = "GREENREG_LOG_KEY"
LOG_KEY_PEM = "GREENREG_LOG_KEY_PEM"
WHAT = "log key"
LEGACY_TABLE = "greenreg_log_secret"


def on_this_machine(path: Path) -> str:
    """What a PostgreSQL store without a configured log key says each time it is opened."""
    return (
        f"the log key is the file {path} on this machine (made on first use): a process on "
        "another machine would sign with a key of its own; for production give the key with "
        f"{LOG_KEY_FILE} (a file) or {LOG_KEY_PEM} (docs/deployment.md)"
    )


def log_origin() -> str:
    origin = os.environ.get("GREENREG_LOG_ORIGIN") or DEFAULT_ORIGIN
    return check_key_name(origin, "the log origin GREENREG_LOG_ORIGIN")


def _said(error: GreenregError) -> GreenregError:
    return GreenregError(f"cannot read the log key: {error}")


def key_file_made_on_first_use(path: Path, seed: bytes | None = None) -> Ed25519Signer:
    """The key in ``path``, made whole there (never half-written, never replaced, mode 0600)
    before the first checkpoint it signs is stored, from ``seed`` if given."""
    signer = Ed25519Signer.generate() if seed is None else Ed25519Signer.from_seed(seed)
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    if publish(path, private_key_text(signer), mode=0o600, replace=False):
        return signer
    found = read_key_file(path, WHAT)
    if seed is not None and found.public_key != signer.public_key:
        raise KeyFileError(
            f"the table {LEGACY_TABLE} holds a log key, and {path} another one: move one of "
            "them aside (the one the checkpoints were signed with is named in "
            "/api/v1/log/keys)"
        )
    return found


def postgres_key_path(env: dict[str, str]) -> Path:
    """Where a PostgreSQL store's log key is made when none is configured: a file named after
    the server, database and schema in the user's data folder."""
    where = [env.get(name, "") for name in ("POSTGRES_HOST", "POSTGRES_PORT", "POSTGRES_DBNAME")]
    where.append(env.get("POSTGRES_SCHEMA", "public"))
    digest = hashlib.sha256("\n".join(where).encode()).hexdigest()[:12]
    readable = re.sub(r"[^A-Za-z0-9._-]", "_", "-".join(where[2:]))
    data = os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return Path(data) / "greenreg" / "log-keys" / f"{readable}-{digest}.log-key"


def unconfigured_key_path(sqlite_file: str | None, env: dict[str, str]) -> Path:
    """Where a store's log key file is made when no key is configured: beside the SQLite
    file, or for PostgreSQL in the user's data folder (:func:`postgres_key_path`)."""
    if sqlite_file is not None:
        return Path(f"{sqlite_file}.log-key")
    return postgres_key_path(env)


def _legacy_seed(recorder: Any) -> bytes | None:
    """The seed an earlier release kept in the table ``greenreg_log_secret``, if it did."""
    table = recorder.table(LEGACY_TABLE)
    with recorder.datastore.transaction(commit=False) as c:
        c.execute("SELECT to_regclass(%s) IS NOT NULL AS kept", (table,))
        if not c.fetchall()[0]["kept"]:
            return None
        c.execute(f"SELECT seed FROM {table} WHERE id = 1")  # noqa: S608 (our own table name)
        rows = c.fetchall()
    return b64decode(rows[0]["seed"], "stored log key") if rows else b""


def _move_out_of_the_database(recorder: Any, env: dict[str, str]) -> None:
    """Move a log key an earlier release kept in the database to its file, then drop the
    table: the file is written (and flushed) first, so a crash never loses the key."""
    seed = _legacy_seed(recorder)
    if seed is None:
        return
    path = postgres_key_path(env)
    if seed:
        key_file_made_on_first_use(path, seed)
    with recorder.datastore.transaction(commit=True) as c:
        c.execute(f"DROP TABLE IF EXISTS {recorder.table(LEGACY_TABLE)}")
    logger.warning(
        "the log key was kept in the database table %s: it is now the file %s and the table "
        "is dropped; the database's backups still hold it, so rotate the log key "
        "(README, 'Private keys')",
        LEGACY_TABLE,
        path,
    )


def load_log_key(
    recorder: LogTables, sqlite_file: str | None, env: dict[str, str]
) -> Ed25519Signer:
    """The log key for this store (see the module docstring for the order)."""
    if sqlite_file is None:
        _move_out_of_the_database(recorder, env)
    try:
        configured = key_from_environment(LOG_KEY_FILE, LOG_KEY_PEM, WHAT)
        if configured is not None:
            return configured
        path = unconfigured_key_path(sqlite_file, env)
        if sqlite_file is None:
            logger.warning(on_this_machine(path))  # said each time a process opens the store
        return key_file_made_on_first_use(path)
    except GreenregError as error:
        raise _said(error) from error


def attach_log(registry: Any, env: dict[str, str]) -> None:
    """Give the registry's recorder its log key, so every write signs a checkpoint."""
    recorder = registry.recorder
    if isinstance(recorder, LogTables):
        sqlite_file = env.get("SQLITE_DBNAME")
        recorder.configure_log(load_log_key(recorder, sqlite_file, env), log_origin())


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
