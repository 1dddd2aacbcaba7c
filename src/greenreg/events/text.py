"""What text an act may hold: one rule for every string anywhere in an act.

An act's strings (every field's value, every item of a list, every key and value of a nested
object such as ``document`` or ``changes``) become stored events, log leaves, read-model rows,
search terms and lines of answers. Each must be text that both databases can hold and that
reads as what it is, so every one of them must be:

- **free of control characters** (Unicode category Cc: U+0000 to U+001F, U+007F to U+009F), tab
  and newline included. PostgreSQL's text cannot hold U+0000 at all; the others are invisible or
  break lines. Every text in an act is a one-line value (a name, a code, a document number, a
  ground, a report's title, a reason); what needs more than a line belongs in the cited document,
  whose SHA-256 the act can carry.
- **free of format characters** (category Cf): zero-width spaces and joiners (U+200B to U+200D,
  U+2060, U+FEFF), bidirectional marks, embeddings, overrides and isolates (U+200E, U+200F,
  U+061C, U+202A to U+202E, U+2066 to U+2069), the soft hyphen, tag characters. They are
  invisible: two names that look the same would differ, a name could display reordered.
- **free of line and paragraph separators** (U+2028, U+2029), **surrogate halves** (U+D800 to
  U+DFFF: not characters, though JSON's ``\\ud800`` can write one) and **noncharacters**
  (U+FDD0 to U+FDEF and the last two code points of every plane).
- **in Unicode Normalization Form C.** Text in another form is refused, not normalised: the
  signature covers the act's exact bytes, so only the signer may change them.

The categories and NFC are Python's :mod:`unicodedata`. An auditor re-decides every act with its
own Python; the rule gives the same answer on every Unicode version for assigned characters
(Unicode keeps categories of controls and NFC of assigned characters stable). Unassigned code
points are not refused, so a character assigned later cannot turn an accepted act into a refused
one.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterator
from typing import Any

from greenreg.errors import TextError

# The abbreviations of U+0000 to U+001F, which have no character names.
# fmt: off
_C0_NAMES = (
    "NUL", "SOH", "STX", "ETX", "EOT", "ENQ", "ACK", "BEL",
    "BS", "TAB", "LF", "VT", "FF", "CR", "SO", "SI",
    "DLE", "DC1", "DC2", "DC3", "DC4", "NAK", "SYN", "ETB",
    "CAN", "EM", "SUB", "ESC", "FS", "GS", "RS", "US",
)
# fmt: on
_KIND = {
    "Cc": "a control character",
    "Cf": "an invisible format character",
    "Cs": "half of a surrogate pair, not a character",
    "Zl": "a line separator",
    "Zp": "a paragraph separator",
}
_RULE = (
    "an act's text is one line of visible characters: no control characters (not even tab or "
    "newline), no zero-width or bidirectional formatting characters, no noncharacters"
)


def check_act_text(act: dict[str, Any]) -> None:
    """Refuse the act (:class:`~greenreg.errors.TextError`) if any string in it, at any depth,
    key or value, breaks the rule above; the message names the field and the character."""
    if all(_plainly_allowed(text) for text in _texts(act)):
        return  # the usual act: no string to look at character by character
    for field, text in _strings(act, ""):
        check_text(text, field)


def _plainly_allowed(text: str) -> bool:
    """Whether ``text`` keeps the rule, told without looking at each character where it can
    be: printable text (:meth:`str.isprintable`) holds no character of the categories refused
    above (Cc, Cf, Cs, Zl, Zp; a noncharacter is unassigned, Cn, also not printable), so
    only its normalization form is left to check. ``False``: :func:`check_text` decides."""
    return text.isprintable() and (text.isascii() or unicodedata.is_normalized("NFC", text))


def check_text(text: str, field: str) -> None:
    """Refuse ``text`` if it breaks the rule above; ``field`` says where it is, as a clerk
    reads it (``the field 'document.number'``)."""
    if text.isascii() and text.isprintable():
        return  # printable ASCII: no refused character, and NFC as it is
    for index, char in enumerate(text):
        kind = _refused(char)
        if kind:
            raise TextError(
                f"{field} contains {describe(char)}, {kind}, at character {index + 1}; {_RULE}"
            )
    if not unicodedata.is_normalized("NFC", text):
        index, char = _first_unnormalised(text)
        raise TextError(
            f"{field} is not in Unicode normalization form C: {describe(char)} at character "
            f"{index + 1} is written in decomposed or compatibility form (its NFC form is "
            f"{unicodedata.normalize('NFC', text)!r}). The registry does not normalise text "
            "for you, because the signature covers the exact bytes: normalise the text to NFC "
            "and sign the act again"
        )


def describe(char: str) -> str:
    """``U+0000 (NUL)``, ``U+200B (ZERO WIDTH SPACE)``: a character as a clerk can look it up."""
    code = ord(char)
    if code < len(_C0_NAMES):
        name = _C0_NAMES[code]
    elif code == 0x7F:
        name = "DEL"
    else:
        name = unicodedata.name(char, "no name")
    return f"U+{code:04X} ({name})"


def _refused(char: str) -> str | None:
    """Why ``char`` is refused, or ``None``."""
    kind = _KIND.get(unicodedata.category(char))
    if kind:
        return kind
    code = ord(char)
    if 0xFDD0 <= code <= 0xFDEF or (code & 0xFFFE) == 0xFFFE:
        return "a noncharacter"
    return None


def _first_unnormalised(text: str) -> tuple[int, str]:
    """The first character from which ``text`` stops being NFC (a combining mark after its
    base, or a character NFC replaces, such as a CJK compatibility ideograph): the shortest
    prefix that is not NFC, found by bisection (a prefix that is not NFC stays so)."""
    low, high = 0, len(text)  # text[:low] is NFC, text[:high] is not
    while high - low > 1:
        middle = (low + high) // 2
        if unicodedata.is_normalized("NFC", text[:middle]):
            low = middle
        else:
            high = middle
    return high - 1, text[high - 1]


def _texts(value: Any) -> Iterator[str]:
    """Every string in a JSON value, keys included (:func:`_strings` without the paths)."""
    kind = type(value)
    if kind is str:
        yield value
    elif kind is dict:
        for key, item in value.items():
            yield key
            if type(item) is str:
                yield item
            else:
                yield from _texts(item)
    elif kind is list:
        for item in value:
            if type(item) is str:
                yield item
            else:
                yield from _texts(item)
    elif isinstance(value, (str, dict, list)):  # a subclass: the general walk
        yield from (text for _, text in _strings(value, ""))


def _strings(value: Any, path: str) -> Iterator[tuple[str, str]]:
    """Every string in a JSON value at ``path``, keys included, each with where it is."""
    if isinstance(value, str):
        yield f"the field '{path}'", value
    elif isinstance(value, dict):
        for key, item in value.items():
            yield (f"a field name in '{path}'" if path else "a field name of the act"), key
            yield from _strings(item, f"{path}.{key}" if path else key)
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from _strings(item, f"{path}[{index}]")
