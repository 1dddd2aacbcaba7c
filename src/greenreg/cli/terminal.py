"""Stored text on an operator's terminal: never a raw control character, never rich markup.

Names, document numbers, batches and refusal messages come from acts that authorities (or an
announcement's list file) wrote. Printed raw, an escape sequence in a name could recolour the
screen, move the cursor, retitle the window or hide the lines before it, and a bidi override
could reorder what the operator reads. Rich strips only BEL, BS, VT, FF and CR; it passes ESC,
the other C0 controls, DEL, the C1 controls (CSI, U+009B, among them) and the bidi controls
through, and it reads ``[bold]`` in a name as markup.

So every CLI command prints stored text through :func:`shown` (inside rich markup) or
:func:`printable` (plain output such as JSON lines). A control character is written as its
visible escape ``\\u001b``, which reads the same in a terminal, in JSON and in Python.
"""

from __future__ import annotations

import re

from rich.markup import escape

UNSAFE = re.compile("[\x00-\x1f\x7f-\x9f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]")
"""C0 controls (newline and tab included), DEL, C1 controls, the line and paragraph separators
and the bidi controls (ALM, LRM, RLM, LRE to RLO, LRI to PDI)."""


def printable(text: str) -> str:
    """``text`` with every character of :data:`UNSAFE` as its visible escape (``\\u001b``)."""
    return UNSAFE.sub(lambda found: f"\\u{ord(found.group()):04x}", text)


def shown(value: object) -> str:
    """Stored text to put into a rich markup string: :func:`printable`, markup escaped."""
    return escape(printable(str(value)))
