"""HTML with escaping by default: every value put into a page is escaped unless it is markup.

``Markup`` marks a string as HTML that is safe to emit as is (it came from this package's own
templates); everything else, user input and data alike, is escaped where it is interpolated::

    render("<p>{name}</p>", name="<script>")   # -> Markup("<p>&lt;script&gt;</p>")

This is what Jinja2's autoescape does, in a few lines and without a dependency.
"""

from __future__ import annotations

import html
import string
from collections.abc import Iterable
from typing import Any


class Markup(str):
    """A string of HTML built by this package: interpolated as is, never escaped again."""

    __slots__ = ()


def escape(value: object) -> Markup:
    """``value`` as HTML text: markup stays as it is, anything else is escaped (quotes too)."""
    if isinstance(value, Markup):
        return value
    return Markup(html.escape("" if value is None else str(value), quote=True))


class _EscapingFormatter(string.Formatter):
    def format_field(self, value: Any, format_spec: str) -> str:
        if isinstance(value, Markup):
            return value
        return escape(format(value, format_spec))


_formatter = _EscapingFormatter()


def render(template: str, /, **values: Any) -> Markup:
    """Fill ``template`` (``str.format`` syntax) with ``values``, escaping each one."""
    return Markup(_formatter.format(template, **values))


def join(parts: Iterable[object], separator: str = "") -> Markup:
    """Concatenate parts (markup kept, text escaped) into one piece of markup."""
    return Markup(escape(separator).join(escape(part) for part in parts))
