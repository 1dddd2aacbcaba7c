"""The one hierarchy of errors the registry raises when it refuses an act.

Every message is written for a clerk: it says what was wrong and, where it helps, what to do.
A refused act changes nothing: no event, no log entry, no projection row.

    GreenregError
    ├── ActFormatError          the act is not well-formed (bad JSON, a missing or wrong field)
    │   ├── CreditCodeError     a Unified Social Credit Code fails its GB 32100 check
    │   ├── DivisionCodeError   a division code is not a GB/T 2260 code
    │   └── TextError           a text holds a control, invisible or unnormalised character
    ├── SignatureError          unsigned, altered, or signed by a key the registry does not know
    │   └── KeyValidityError    the key was not valid when the act was signed or is recorded
    ├── CompetenceError         the authority may not issue this act (jurisdiction, programme)
    ├── NotFoundError           the act names a unit or authority the registry does not hold
    ├── RuleError               the act breaks a rule of a rulebook (the rule cites its article)
    │   ├── BanError            the unit is under a reapplication ban (gives the ban's last day)
    │   └── HistoryError        the act contradicts the unit's recorded history
    ├── ConflictError           another act changed the same unit first, or the log is closed
    │                           up to the act's time: nothing was recorded
    ├── KeyFileError            a key file is missing, unreadable, or the wrong kind (a public
    │                           key given to sign, a private key given to publish)
    ├── CalendarCoverageError   a date needs an official calendar year that is not published
    ├── ProjectionStalledError  the read models cannot fold the log: no act is accepted until
    │                           an operator mends it (not the act's fault; HTTP 503)
    ├── SchemaVersionError      the store's schema is older ('greenreg migrate') or newer
    │                           than this release's; nothing is read or written
    └── ListFileError           an announcement's list file cannot be imported (layout, cells)
        └── RegionError         a region as listed maps to no GB/T 2260 province
"""

from __future__ import annotations


class GreenregError(Exception):
    """Base class: an act was refused, or a question could not be answered."""

    code = "refused"


class ActFormatError(GreenregError):
    code = "malformed_act"


class CreditCodeError(ActFormatError):
    code = "invalid_credit_code"


class DivisionCodeError(ActFormatError):
    code = "unknown_division"


class TextError(ActFormatError):
    code = "invalid_text"


class SignatureError(GreenregError):
    code = "bad_signature"


class KeyValidityError(SignatureError):
    code = "key_not_valid"


class CompetenceError(GreenregError):
    code = "not_competent"


class NotFoundError(GreenregError):
    code = "not_found"


class RuleError(GreenregError):
    code = "rule_violation"


class BanError(RuleError):
    code = "banned"


class HistoryError(RuleError):
    code = "contradicts_history"


class ConflictError(GreenregError):
    code = "conflict"


class KeyFileError(GreenregError):
    code = "bad_key_file"


class CalendarCoverageError(GreenregError):
    code = "calendar_not_covered"


class ProjectionStalledError(GreenregError):
    code = "read_models_stalled"


class SchemaVersionError(GreenregError):
    """The store's schema is not the one this release reads: older (``greenreg migrate``
    upgrades it) or unknown (a newer release made it)."""

    code = "schema_version"


class ListFileError(GreenregError):
    code = "malformed_list"


class RegionError(ListFileError):
    code = "unknown_region"


def one_line(error: BaseException) -> str:
    """An error as one line: its type and the first line of its message."""
    message = str(error).strip().splitlines()
    return f"{type(error).__name__}: {message[0] if message else ''}".rstrip(": ")
