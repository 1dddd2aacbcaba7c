"""What the public may ask without an API key, and what needs one.

Reads are public: the lookup, units, lists, the log, the event feed, and a bank check of up to
:data:`ANONYMOUS_REFS` references (a person checking a few units). A key the operator issued
(``greenreg keys api new``) is needed for the bulk questions, which cost the registry the most
and are what a subscriber's quota is for:

* a bank check of more than :data:`ANONYMOUS_REFS` references (REST ``POST
  /api/v1/certifications``, GraphQL ``certifications``), up to 10,000 with a key;
* matching by name (``POST /api/v1/match``, GraphQL ``match``);
* bulk jobs (``/api/v1/jobs``) and watchlists (``/api/v1/watchlists``).

Submitting a signed act needs no key: the act's own signature authenticates its authority.
"""

from __future__ import annotations

import os
from dataclasses import dataclass

from greenreg.subscribers.api_keys import ApiKey

ANONYMOUS_REFS = 25
"""The largest bank check the public may ask without a key (``GREENREG_ANONYMOUS_REFS``)."""


@dataclass(frozen=True)
class Caller:
    """Who asks: an API key's holder, or the public at an address. ``key_refused``: a key was
    sent that the registry did not issue, or revoked."""

    ip: str
    key: ApiKey | None = None
    key_refused: bool = False

    @property
    def identity(self) -> str:
        return f"key:{self.key.key_id}" if self.key is not None else f"ip:{self.ip}"


def anonymous_refs() -> int:
    return int(os.environ.get("GREENREG_ANONYMOUS_REFS") or ANONYMOUS_REFS)


def keyed_route(path: str) -> str | None:
    """What the route at ``path`` is, if it needs a key (watchlists say so themselves)."""
    if path.startswith("/api/v1/match"):
        return "matching by name"
    if path.startswith("/api/v1/jobs"):
        return "a bulk job"
    return None


def key_required(caller: Caller | None, what: str) -> str | None:
    """Why ``what`` is refused to ``caller`` without a key, or None. No caller (an app without
    quotas): nothing is refused here."""
    if caller is None or caller.key is not None:
        return None
    return (
        f"{what} needs an API key: send 'Authorization: Bearer <key>' with a key the "
        "registry's operator issued you ('greenreg keys api new')"
    )


def bulk_check_refused(caller: Caller | None, refs: int) -> str | None:
    """Why a bank check of ``refs`` references is refused to ``caller``, or None."""
    limit = anonymous_refs()
    if refs <= limit:
        return None
    return key_required(
        caller, f"a bank check of more than {limit} references ({refs} asked; or ask fewer)"
    )
