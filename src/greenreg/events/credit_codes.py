"""Unified Social Credit Codes (统一社会信用代码, GB 32100-2015)."""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache
from operator import mul

from stdnum.cn import uscc
from stdnum.exceptions import InvalidChecksum, InvalidComponent, InvalidFormat, InvalidLength

from greenreg.errors import CreditCodeError

_COMPACT = re.compile(r"[0-9A-Z]+")

ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
"""GB 32100's 31 characters (no I, O, S, V or Z), each worth its place in this text."""
WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)
"""The weights of the first 17 characters (3 to the power of the place, modulo 31)."""
_VALUES = {character: value for value, character in enumerate(ALPHABET)}
_WELL_FORMED = re.compile(r"[0-9]{8}[0-9A-HJ-NPQRTUWXY]{10}")
"""A compact code of the right length, characters and form (what ``uscc.validate`` checks
before the check character)."""


def compact(code: str) -> str:
    """Full-width characters to half-width (NFKC), spaces and hyphens out, upper case."""
    if _COMPACT.fullmatch(code):
        return code  # already compact (as a registered code is): nothing to normalise
    return str(uscc.compact(unicodedata.normalize("NFKC", code))).upper()


@lru_cache(maxsize=1 << 17)
def check_credit_code(code: str) -> str:
    """Return the code in its compact form if its GB 32100 check character is right.

    Pure, and asked again for every act that names a unit by its code: the answers are cached
    (a refusal is not: it raises). A compact, well-formed code whose check character is right
    is returned as it is (what ``uscc.validate`` returns for it, in a fifth of the time: each
    registration and each bank check of a new code asks); anything else, ``uscc.validate``
    checks and says what is wrong.
    """
    if _WELL_FORMED.fullmatch(code) is not None and code[17] == check_character(code):
        return code
    try:
        return str(uscc.validate(compact(code)))
    except InvalidLength as error:
        raise CreditCodeError(
            f"{code!r} is not a credit code: it must have 18 characters"
        ) from error
    except InvalidChecksum as error:
        raise CreditCodeError(
            f"{code} is not a valid credit code: its check character (the 18th) is wrong"
        ) from error
    except (InvalidFormat, InvalidComponent) as error:
        raise CreditCodeError(
            f"{code!r} is not a valid credit code: it uses characters or a region code "
            "that GB 32100 does not allow"
        ) from error


def check_character(code: str) -> str:
    """The 18th character GB 32100 gives a well-formed code's first 17 (``uscc``'s
    ``calc_check_digit``, without its clean-up)."""
    return ALPHABET[-sum(map(mul, map(_VALUES.__getitem__, code[:17]), WEIGHTS)) % 31]
