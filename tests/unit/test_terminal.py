"""The one way stored text reaches a terminal: control characters visible, rich markup literal."""

from __future__ import annotations

import io

from rich.console import Console

from greenreg.cli.terminal import printable, shown

CONTROLS = [chr(c) for c in (*range(0x20), *range(0x7F, 0xA0))] + [
    "\u061c",
    "\u200e",
    "\u200f",
    "\u2028",
    "\u2029",
    *(chr(c) for c in range(0x202A, 0x202F)),
    *(chr(c) for c in range(0x2066, 0x206A)),
]


def test_every_control_and_bidi_character_is_written_as_its_escape() -> None:
    for char in CONTROLS:
        assert printable(f"a{char}b") == f"a\\u{ord(char):04x}b"
    assert printable("苏州工业园区 Suzhou (A) 1-2") == "苏州工业园区 Suzhou (A) 1-2"


def test_rich_prints_markup_in_a_name_literally_and_no_escape_sequence() -> None:
    out = io.StringIO()
    console = Console(file=out, force_terminal=True, color_system="truecolor", highlight=False)
    console.print(shown("\x1b[31m红[/red] [bold]粗[/bold]"))
    assert "\x1b" not in out.getvalue()  # neither the name's escape nor a style from markup
    assert out.getvalue() == "\\u001b[31m红[/red] [bold]粗[/bold]\n"
