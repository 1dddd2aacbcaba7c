"""The bank check's references: what each of up to 10,000 credit codes or unit ids names.

A unit id (a UUID) is read as is; a credit code in its compact form (upper case, no spaces or
hyphens; full-width forms folded only when present). Only a code that names no unit is checked
against its GB 32100 check character (to tell ``not_found`` from ``invalid_code``): a stored
code was checked when its unit was registered. The check itself is answered set-based by
:mod:`.bank_check`.
"""

from __future__ import annotations

from uuid import UUID

from greenreg.errors import CreditCodeError
from greenreg.events.credit_codes import check_credit_code, compact
from greenreg.registry.unit import unit_id_for_credit_code

MAX_REFS = 10_000
CREDIT_CODE_LENGTH = 18
UUID_LENGTHS = (32, 36, 38, 45)  # hex, hyphenated, braced, urn:uuid:


class Reference:
    """One reference as given, and what it names: a unit id, or a compact credit code."""

    __slots__ = ("code", "key", "text", "unit_id")

    def __init__(self, text: str) -> None:
        self.text = text
        self.unit_id: UUID | None = None
        self.key: str | None = None  # the unit id as the read models write it
        self.code: str | None = None
        bare = text.strip()
        if len(bare) in UUID_LENGTHS:
            try:
                self.unit_id = UUID(bare)
            except ValueError:
                pass
            else:
                self.key = str(self.unit_id)
                return
        if len(bare) == CREDIT_CODE_LENGTH and bare.isascii() and bare.isalnum():
            self.code = bare.upper()  # the common case, without the general clean-up
        else:
            code = compact(bare)
            self.code = code if len(code) == CREDIT_CODE_LENGTH else None


def parse_ref(ref: str) -> UUID | None:
    """The unit id a reference names: a UUID as is, a valid credit code through its id."""
    reference = Reference(ref)
    if reference.unit_id is not None or reference.code is None:
        return reference.unit_id
    return id_of_valid_code(reference.code)


def id_of_valid_code(code: str) -> UUID | None:
    try:
        return unit_id_for_credit_code(check_credit_code(code))
    except CreditCodeError:
        return None
