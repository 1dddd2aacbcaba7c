"""Unified Social Credit Codes (统一社会信用代码, GB 32100-2015)."""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

from stdnum.cn import uscc
from stdnum.exceptions import InvalidChecksum, InvalidComponent, InvalidFormat, InvalidLength

from greenreg.errors import CreditCodeError

_COMPACT = re.compile(r"[0-9A-Z]+")


def compact(code: str) -> str:
    """Full-width characters to half-width (NFKC), spaces and hyphens out, upper case."""
    if _COMPACT.fullmatch(code):
        return code  # already compact (as a registered code is): nothing to normalise
    return str(uscc.compact(unicodedata.normalize("NFKC", code))).upper()


@lru_cache(maxsize=1 << 17)
def check_credit_code(code: str) -> str:
    """Return the code in its compact form if its GB 32100 check character is right.

    Pure, and asked again for every act that names a unit by its code: the answers are cached
    (a refusal is not: it raises).
    """
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
