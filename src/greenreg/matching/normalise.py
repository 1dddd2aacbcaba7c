"""Names as the registry compares them: one Chinese-aware normalisation for every search.

:func:`normalise` serves the lookup (REST ``/lookup``, GraphQL ``search``, the page's search box)
and the bulk match alike. In order:

1. NFKC folds full-width forms into half-width ones (``（）`` into ``()``, ``ＡＢＣ１２３`` into
   ``ABC123``, the ideographic space into a space), then case is folded;
2. traditional characters become simplified ones (``zhconv``, the mainland variant): 蘇州工業園區
   and 苏州工业园区 compare equal;
3. every space and punctuation mark is dropped.

:func:`parse` also splits a name into the parts the match weighs separately, so that a variant is
recognised as a variant rather than ignored as noise:

- the **legal form** at the end (有限公司, 有限责任公司, 股份有限公司, 集团, ..., repeatedly: 集团
  股份有限公司 is 集团 + 股份有限公司);
- the **bracketed qualifiers** (usually a region: 冠捷显示科技（中国）有限公司 has ``中国``);
- the **core**: what is left, the part that names the unit.
"""

from __future__ import annotations

import importlib
import re
import sys
import unicodedata
from dataclasses import dataclass
from types import ModuleType


def _without_pkg_resources(module: str) -> ModuleType:
    """``module`` imported while setuptools' ``pkg_resources`` cannot be (if it is not
    imported already). zhconv reads its dictionary through ``pkg_resources`` when it can import
    it, otherwise from the file beside its own module: the same file, without importing
    ``pkg_resources`` (a tenth of a second, as long as the rest of a command's start)."""
    if "pkg_resources" in sys.modules:
        return importlib.import_module(module)
    sys.modules["pkg_resources"] = None  # type: ignore[assignment]  # importing it fails
    try:
        return importlib.import_module(module)
    finally:
        del sys.modules["pkg_resources"]


zhconv = _without_pkg_resources("zhconv")

LEGAL_FORMS = (
    "股份有限公司",
    "有限责任公司",
    "股份公司",
    "有限公司",
    "集团公司",
    "集团",
    "公司",
)
"""Legal-form suffixes, longest first; several may follow each other (集团股份有限公司)."""

_BRACKETS = re.compile(r"[(\[【〔]([^()\[\]【】〔〕]*)[)\]】〕]")


@dataclass(frozen=True, slots=True)
class Name:
    """A name taken apart: ``norm`` is the whole name normalised; ``core`` is it without its
    legal form and bracketed qualifiers; ``form`` the legal form (``""`` if none);
    ``qualifier`` the bracketed qualifiers, joined with ``/`` (``""`` if none);
    ``traditional`` whether the text held traditional characters."""

    text: str
    norm: str
    core: str
    form: str
    qualifier: str
    traditional: bool


def fold(text: str) -> str:
    """NFKC, case folded, simplified characters; punctuation and spaces kept."""
    return simplified(unicodedata.normalize("NFKC", text).casefold())


def simplified(text: str) -> str:
    """Traditional characters made simplified (``zhconv``, mainland variant). Text of ASCII
    characters alone (a credit code) is left as it is without asking: none of zhconv's
    conversions is made of ASCII characters alone (a test checks its table)."""
    return text if text.isascii() else str(zhconv.convert(text, "zh-cn"))


class _Kept(dict[int, int | None]):
    """For ``str.translate``: a character kept maps to itself, one dropped (a space,
    punctuation, a symbol, a control character) to None; the category of each of the first
    :data:`KEPT_AT_MOST` characters seen is looked up once (a question made of every character
    there is grows it no further)."""

    def __missing__(self, code: int) -> int | None:
        kept = None if unicodedata.category(chr(code))[0] in "PZSC" else code
        if len(self) < KEPT_AT_MOST:
            self[code] = kept
        return kept


KEPT_AT_MOST = 50_000


_KEPT = _Kept()


def strip(text: str) -> str:
    """Drop every space, punctuation mark, symbol and control character."""
    return text.translate(_KEPT)


def normalise(text: str) -> str:
    """The whole name as compared: folded, simplified, without spaces or punctuation."""
    return strip(fold(text))


def parse(text: str) -> Name:
    nfkc = unicodedata.normalize("NFKC", text).casefold()
    folded = simplified(nfkc)  # fold(text), converted once for both uses
    qualifiers = [strip(q) for q in _BRACKETS.findall(folded)]
    outside = strip(_BRACKETS.sub("", folded))
    core, form = split_form(outside)
    return Name(
        text=text,
        norm=strip(folded),
        core=core or outside,
        form=form if core else "",
        qualifier="/".join(q for q in qualifiers if q),
        traditional=folded != nfkc,
    )


def form_parts(form: str) -> list[str]:
    """The legal forms a form is made of, from the end: 集团股份有限公司 is [股份有限公司, 集团]."""
    parts: list[str] = []
    while form:
        part = next((suffix for suffix in LEGAL_FORMS if form.endswith(suffix)), form)
        parts.append(part)
        form = form[: -len(part)]
    return parts


def split_form(name: str) -> tuple[str, str]:
    """``(core, legal form)`` of a normalised name without brackets."""
    form = ""
    stripped = True
    while stripped:
        stripped = False
        for suffix in LEGAL_FORMS:
            if name.endswith(suffix) and len(name) > len(suffix):
                name, form = name[: -len(suffix)], suffix + form
                stripped = True
                break
    return name, form
