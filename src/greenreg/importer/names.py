"""Names as listed: the name a unit is registered under, and the key that finds it again.

The published lists are transcribed from PDF annexes, so one enterprise can be written with
full-width or half-width brackets, or with a stray space inside a word (``有限 公司``). The
*dedupe key* ignores those differences; the *registered name* keeps the list's spelling, minus
spaces that split Chinese text.
"""

from __future__ import annotations

import re
import unicodedata

_SPACES = re.compile(r"\s+")
_CJK = r"[\u3000-\u303f\u3400-\u9fff\uff00-\uffef]"
_SPACE_IN_CHINESE = re.compile(rf"(?<={_CJK})\s+(?={_CJK})")


def dedupe_key(name: str) -> str:
    """The same unit under any spelling: NFKC (full-width to half-width), no white space."""
    return _SPACES.sub("", unicodedata.normalize("NFKC", name))


def registered_name(name: str) -> str:
    """The name as listed, trimmed, with runs of spaces made one and spaces between two
    Chinese characters removed (``江苏太古可口可乐饮料有限 公司`` -> ``...有限公司``), while a
    space next to Latin letters stays (``TCL 空调器（中山）有限公司``)."""
    return _SPACES.sub(" ", _SPACE_IN_CHINESE.sub("", name.strip()))
