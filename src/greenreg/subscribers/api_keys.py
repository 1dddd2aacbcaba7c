"""API keys: issued by the operator (``greenreg keys api new NAME``), held by a subscriber.

A key reads ``grk_<key id>_<secret>``: the key id (16 hex digits) names it in lists, logs and
``greenreg keys api revoke``; the secret is 32 random bytes (``secrets.token_urlsafe``). The key
is printed once, when issued; the registry keeps only the SHA-256 of the whole key.

Why SHA-256 and not a slow key-derivation function (scrypt, Argon2): those make guessing a
*low-entropy* secret, a password a person chose, expensive. This secret has 256 random bits, so
a stolen hash cannot be reversed by guessing whatever the hash's speed, while a slow function
would cost every authenticated request tens of milliseconds of CPU. The stored hash is compared
in constant time (``hmac.compare_digest``).
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime

from greenreg.errors import GreenregError, NotFoundError
from greenreg.projections.database import ReadStore, record_time

KEY_FORM = re.compile(r"grk_([0-9a-f]{16})_([A-Za-z0-9_-]{43})")
MAX_NAME = 200


@dataclass(frozen=True)
class ApiKey:
    """An issued key, as listed (the key itself is never stored)."""

    key_id: str
    name: str
    issued_at: str
    revoked_at: str | None


def key_hash(key: str) -> str:
    return hashlib.sha256(key.encode("ascii")).hexdigest()


class ApiKeys:
    """The key store: issue, revoke, list, and tell who holds a key."""

    def __init__(self, store: ReadStore) -> None:
        self.store = store

    def issue(self, name: str) -> tuple[ApiKey, str]:
        """A new key for ``name``: its record, and the key itself (shown once, never stored)."""
        name = name.strip()
        if not name or len(name) > MAX_NAME:
            raise GreenregError(f"a key's holder is named in 1 to {MAX_NAME} characters")
        key_id = secrets.token_hex(8)
        key = f"grk_{key_id}_{secrets.token_urlsafe(32)}"
        issued = record_time(datetime.now(UTC))
        self.store.execute(
            "INSERT INTO greenreg_api_keys (key_id, name, key_hash, issued_at) VALUES (?, ?, ?, ?)",
            (key_id, name, key_hash(key), issued),
        )
        return ApiKey(key_id, name, issued, None), key

    def revoke(self, key_id: str) -> ApiKey:
        """Revoke a key by its id; from now on it authenticates nothing (revoking twice keeps
        the first time)."""
        found = self._get(key_id)
        if found is None:
            raise NotFoundError(f"no API key has the id {key_id!r}; 'greenreg keys api list'")
        if found.revoked_at is None:
            self.store.execute(
                "UPDATE greenreg_api_keys SET revoked_at = ? WHERE key_id = ?",
                (record_time(datetime.now(UTC)), key_id),
            )
        revoked = self._get(key_id)
        assert revoked is not None  # noqa: S101 (just read)
        return revoked

    def list(self) -> list[ApiKey]:
        rows = self.store.query(
            "SELECT key_id, name, issued_at, revoked_at FROM greenreg_api_keys "
            "ORDER BY issued_at, key_id"
        )
        return [ApiKey(*row) for row in rows]

    def holder(self, key: str) -> ApiKey | None:
        """The key's record if ``key`` is a key this registry issued and has not revoked."""
        form = KEY_FORM.fullmatch(key)
        if form is None:
            return None
        rows = self.store.query(
            "SELECT key_id, name, issued_at, revoked_at, key_hash FROM greenreg_api_keys "
            "WHERE key_id = ?",
            (form.group(1),),
        )
        if not rows or not hmac.compare_digest(str(rows[0][4]), key_hash(key)):
            return None
        found = ApiKey(*rows[0][:4])
        return None if found.revoked_at is not None else found

    def _get(self, key_id: str) -> ApiKey | None:
        rows = self.store.query(
            "SELECT key_id, name, issued_at, revoked_at FROM greenreg_api_keys WHERE key_id = ?",
            (key_id,),
        )
        return ApiKey(*rows[0]) if rows else None
