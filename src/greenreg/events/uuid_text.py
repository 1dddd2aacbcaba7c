"""A UUID read from the text ``UUID`` itself writes, without :class:`uuid.UUID`'s parser.

``UUID(text)`` accepts many spellings (braces, ``urn:uuid:``, upper case, hyphens anywhere) and
works through each: a good share of the time of reading an act or a log entry, whose ids are
written one way. For the two ways ``UUID`` writes an id (lower-case hex, in its hyphenated form
or as 32 digits), :func:`read_uuid` makes from the number the very UUID ``UUID(text)`` makes;
any other text goes to ``UUID``, which accepts it or raises ``ValueError`` as always.
"""

from __future__ import annotations

import re
from uuid import UUID, SafeUUID

_HEX = re.compile(r"[0-9a-f]{32}").fullmatch
_HYPHENATED = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}").fullmatch


def read_uuid(text: str) -> UUID:
    """``UUID(text)``."""
    if _HEX(text):
        number = int(text, 16)
    elif _HYPHENATED(text):
        number = int(text.replace("-", ""), 16)
    else:
        return UUID(text)
    made = object.__new__(UUID)
    object.__setattr__(made, "int", number)
    object.__setattr__(made, "is_safe", SafeUUID.unknown)
    return made
