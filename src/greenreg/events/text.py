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


_PASSED: set[str] = set()
"""The characters found not refused so far (an act's text is mostly Chinese: a few thousand
distinct characters, each looked up once)."""


def check_act_text(act: dict[str, Any]) -> None:
    """Refuse the act (:class:`~greenreg.errors.TextError`) if any string in it, at any depth,
    key or value, breaks the rule above; the message names the field and the character."""
    for text, path, key in _strings(act, "", key=False):
        if not _passes(text):
            check_text(text, _field(path, key))


def json_text_passes(text: str) -> bool:
    """Whether every string in the JSON text ``text`` (keys included) surely keeps the rule,
    read from the text alone; ``False`` says only "look at each string" (:func:`check_act_text`).

    ``True`` when the text has no escape, is printable and is in NFC. Without a backslash,
    every string of the parsed value, at any depth, is written in the text exactly as it is,
    between two quotation marks. Python's printable characters are those of no category
    "Other" (Cc, Cf, Cs, Co, Cn: noncharacters are Cn) or "Separator" (Zs but the ASCII space,
    Zl, Zp): a text they make up holds no refused character (an ideographic space or a
    private-use character, which the rule accepts, sends the act string by string). A
    quotation mark is a normalization boundary on both sides (a starter that composes with
    nothing and that NFC never makes or removes), so the NFC form of the text is the NFC forms
    of the pieces between its quotation marks, joined by them: the text is in NFC only if
    every string is. (What lies outside the strings is JSON's own ASCII.)"""
    return (
        bool(text)
        and "\\" not in text
        and text.isprintable()
        and unicodedata.is_normalized("NFC", text)
    )


def _passes(text: str) -> bool:
    """Whether ``text`` keeps the rule (:func:`check_text` says why not)."""
    if text.isascii():
        return text.isprintable()  # printable ASCII: no refused character, and NFC as it is
    if not _PASSED.issuperset(text):
        for char in set(text) - _PASSED:
            if _refused(char):
                return False
            _PASSED.add(char)
    return unicodedata.is_normalized("NFC", text)


def check_text(text: str, field: str) -> None:
    """Refuse ``text`` if it breaks the rule above; ``field`` says where it is, as a clerk
    reads it (``the field 'document.number'``)."""
    if _passes(text):
        return
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


def _strings(value: Any, path: str, *, key: bool) -> Iterator[tuple[str, str, bool]]:
    """Every string in a JSON value at ``path``, keys included, each with where it is (the
    path, and whether it is a field name there)."""
    if isinstance(value, str):
        yield value, path, key
    elif isinstance(value, dict):
        for name, item in value.items():
            yield name, path, True
            yield from _strings(item, f"{path}.{name}" if path else name, key=False)
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from _strings(item, f"{path}[{index}]", key=False)


def _field(path: str, key: bool) -> str:
    """Where a string is, as a clerk reads it."""
    if not key:
        return f"the field '{path}'"
    return f"a field name in '{path}'" if path else "a field name of the act"
