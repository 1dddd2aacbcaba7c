"""Text as search compares it: Chinese-aware normalisation of names and credit codes.

NFKC folds full-width forms into half-width ones (``（）`` into ``()``, ``ＡＢＣ１２３`` into
``ABC123``, the ideographic space into a space); then case is folded and every space and
punctuation mark is dropped, so ``上海（浦东）新材料 有限公司`` and ``上海(浦东)新材料有限公司``
compare equal.
"""

from __future__ import annotations

import unicodedata


def normalise(text: str) -> str:
    folded = unicodedata.normalize("NFKC", text).casefold()
    return "".join(c for c in folded if unicodedata.category(c)[0] not in "PZSC")
