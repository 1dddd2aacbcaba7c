"""Who may sign: the registry's root and the issuing authorities, each with its keys.

The registry is founded by a self-signed act of its root key; the root then registers every
authority and adds or revokes its keys, and declares which rulebook governs which lists from
when (its adoptions). An inspector needs only the root public key.

An authority also answers for its competence (the ``check_*`` methods): which areas it may act
in, which lists it issues, and which of its keys may be added or revoked.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime
from functools import lru_cache, singledispatchmethod
from uuid import UUID, uuid5

from greenreg.errors import (
    ActFormatError,
    CompetenceError,
    HistoryError,
    KeyValidityError,
    SignatureError,
)
from greenreg.events.acts import Act
from greenreg.events.places import NATIONAL, name_of, within
from greenreg.events.signing import b64decode
from greenreg.events.vocabulary import (
    AuthorityRegistered,
    Flag,
    KeyAdded,
    KeyRevoked,
    LogKeyDeclared,
    RegistryEvent,
    RegistryFounded,
    RulesAdopted,
)
from greenreg.registry.aggregate import RegistryAggregate
from greenreg.registry.rulebooks.law import Adoption, check_adoption
from greenreg.registry.unit import NAMESPACE

CODE_RULE = "GB 32100-2015 §4.3 (positions 3-8: the issuing registration authority's division)"
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


def check_signed_by_root(act: Act, what: str = "registers authorities and keys") -> None:
    """Authorities, keys and the adoption of rulebooks are the root's business alone."""
    if act.authority != ROOT:
        raise CompetenceError(f"only the registry's root key {what}")


class Authority(RegistryAggregate):
    """An issuing authority (or the registry's root) and the keys it signs with."""

    def __init__(self) -> None:
        super().__init__()
        self.code = ""
        self.name = ""
        self.jurisdiction = ""
        self.programmes: tuple[str, ...] = ()
        self.keys: dict[str, Key] = {}
        self.adoptions: list[Adoption] = []
        """The root's adoptions of rulebooks, in log order (other authorities have none)."""
        self.log_keys: dict[str, int] = {}
        """The log keys the root declared: key id -> the version of its declaration event."""

    def key(self, key_id: str) -> Key:
        try:
            return self.keys[key_id]
        except KeyError:
            raise SignatureError(
                f"key {key_id} is not a key of {self.name or self.code}: "
                "the registry does not know it"
            ) from None

    # --- guards: competence and keys --------------------------------------------------------

    def check_area(self, division: str) -> None:
        """The authority may act on a unit in ``division``: it lies within its jurisdiction
        (the root registers authorities and keys; it acts on no unit)."""
        if self.code == ROOT or not within(division, self.jurisdiction):
            raise CompetenceError(
                f"{self.name or self.code} ({self.jurisdiction}) may not act on a "
                f"unit in {name_of(division)} ({division}): it is outside its jurisdiction"
            )

    def check_code_issued_within(self, credit_code: str, reason: str | None) -> list[Flag]:
        """A credit code is issued by the registration authority of the division its positions
        3-8 name (GB 32100-2015 §4.3). An authority registers units whose code was issued within
        its jurisdiction (a national one, any); otherwise the act says why in
        ``registered_elsewhere``, and the event carries that as a flag. Without the check, a
        province could take a code that belongs to another province's unit."""
        issued_in = credit_code[2:8]
        inside = self.jurisdiction == NATIONAL or within(issued_in, self.jurisdiction)
        if inside:
            if reason is not None:
                raise ActFormatError(
                    f"'registered_elsewhere' is only for a credit code issued outside "
                    f"{self.name or self.code}'s jurisdiction; {credit_code} was issued in "
                    f"{name_of(issued_in)} ({issued_in}): remove it"
                )
            return []
        where = f"{name_of(issued_in)} ({issued_in})"
        if reason is None:
            raise CompetenceError(
                f"credit code {credit_code} was issued in {where} (its positions 3-8), outside "
                f"the jurisdiction of {self.name or self.code} ({self.jurisdiction}); a unit "
                "is registered by an authority where its code was issued, or the act states "
                "why not in 'registered_elsewhere'"
            )
        return [
            {
                "code": "registered_elsewhere",
                "rule": CODE_RULE,
                "message": f"credit code issued in {where}, outside {self.jurisdiction}: {reason}",
            }
        ]

    def check_issues(self, programme: str, jurisdiction: str) -> None:
        """The authority issues ``programme`` lists for ``jurisdiction``: its own, no other."""
        if jurisdiction != self.jurisdiction:
            raise CompetenceError(
                f"{self.name} issues lists for {name_of(self.jurisdiction)} "
                f"({self.jurisdiction}), not for {name_of(jurisdiction)} ({jurisdiction})"
            )
        if programme not in self.programmes:
            raise CompetenceError(f"{self.name} does not issue {programme} designations")

    def check_new_key(self, key_id: str) -> None:
        if key_id in self.keys:
            raise HistoryError(f"key {key_id} is already a key of {self.name}")

    def check_adoptable(self, adoption: Adoption) -> None:
        """Only the root declares which rulebook governs which lists (see
        :func:`~greenreg.registry.rulebooks.law.check_adoption` for the rest)."""
        if self.code != ROOT:
            raise CompetenceError("only the registry's root key adopts rulebooks")
        check_adoption(adoption, self.adoptions)

    def check_new_log_key(self, key_id: str) -> None:
        if key_id in self.log_keys:
            raise HistoryError(f"log key {key_id} is already declared")
        if key_id in self.keys:
            raise HistoryError(f"key {key_id} signs acts; a log key is a key of its own")

    def check_revocable(self, key_id: str) -> None:
        key = self.key(key_id)
        if key.revoked_at is not None:
            raise HistoryError(f"key {key.key_id} was already revoked on {key.revoked_at}")

    # --- folding events into the state ------------------------------------------------------

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
    def _(self, event: RulesAdopted) -> None:
        self.adoptions.append(Adoption.of(event))

    @fold.register
    def _(self, event: LogKeyDeclared) -> None:
        self.log_keys[event.log_key_id] = event.originator_version

    @fold.register
    def _(self, event: KeyRevoked) -> None:
        key = self.keys[event.revoked_key_id]
        self.keys[event.revoked_key_id] = replace(key, revoked_at=event.revoked_at)
