"""Who may sign: the registry's root and the issuing authorities, each with its keys.

The registry is founded by a self-signed act of its root key; the root then registers every
authority and adds or revokes its keys. An inspector needs only the root public key.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime
from functools import lru_cache, singledispatchmethod
from uuid import UUID, uuid5

from greenreg.errors import KeyValidityError, SignatureError
from greenreg.events.signing import b64decode
from greenreg.events.vocabulary import (
    AuthorityRegistered,
    KeyAdded,
    KeyRevoked,
    RegistryEvent,
    RegistryFounded,
)
from greenreg.registry.aggregate import RegistryAggregate
from greenreg.registry.unit import NAMESPACE

ROOT = "root"
"""The ``authority`` an act names when the registry's root key signs it."""


@lru_cache(maxsize=1024)
def authority_id_for(code: str) -> UUID:
    """Authorities are named by a short code (``miit``, ``cq-eit``); the root by ``root``."""
    return uuid5(NAMESPACE, f"authority:{code}")


@dataclass(frozen=True)
class Key:
    key_id: str
    public_key: bytes
    valid_from: datetime
    valid_until: datetime | None
    revoked_at: datetime | None = None

    def check_valid_at(self, moment: datetime, what: str) -> None:
        """Raise unless the key may sign at ``moment`` (``what`` names the moment for the clerk)."""
        if moment < self.valid_from:
            raise KeyValidityError(
                f"key {self.key_id} was not yet valid {what} ({moment.isoformat()}); "
                f"it is valid from {self.valid_from.isoformat()}"
            )
        if self.valid_until is not None and moment > self.valid_until:
            raise KeyValidityError(
                f"key {self.key_id} had expired {what} ({moment.isoformat()}); "
                f"it was valid until {self.valid_until.isoformat()}"
            )
        if self.revoked_at is not None and moment >= self.revoked_at:
            raise KeyValidityError(
                f"key {self.key_id} was revoked on {self.revoked_at.isoformat()}, "
                f"before {what} ({moment.isoformat()})"
            )


class Authority(RegistryAggregate):
    """An issuing authority (or the registry's root) and the keys it signs with."""

    def __init__(self) -> None:
        super().__init__()
        self.code = ""
        self.name = ""
        self.jurisdiction = ""
        self.programmes: tuple[str, ...] = ()
        self.keys: dict[str, Key] = {}

    def key(self, key_id: str) -> Key:
        try:
            return self.keys[key_id]
        except KeyError:
            raise SignatureError(
                f"key {key_id} is not a key of {self.name or self.code}: "
                "the registry does not know it"
            ) from None

    @singledispatchmethod
    def fold(self, event: RegistryEvent) -> None:
        raise NotImplementedError(type(event).__name__)  # a programming error

    @fold.register
    def _(self, event: RegistryFounded) -> None:
        public_key = b64decode(event.root_public_key, "root public key")
        self.code, self.name, self.jurisdiction = ROOT, event.name, "CN"
        self.keys[event.key_id] = Key(event.key_id, public_key, event.signed_at, None)

    @fold.register
    def _(self, event: AuthorityRegistered) -> None:
        self.code, self.name, self.jurisdiction = event.code, event.name, event.jurisdiction
        self.programmes = tuple(event.programmes)

    @fold.register
    def _(self, event: KeyAdded) -> None:
        self.keys[event.new_key_id] = Key(
            event.new_key_id,
            b64decode(event.public_key, "public key"),
            event.valid_from,
            event.valid_until,
        )

    @fold.register
    def _(self, event: KeyRevoked) -> None:
        key = self.keys[event.revoked_key_id]
        self.keys[event.revoked_key_id] = replace(key, revoked_at=event.revoked_at)
