"""The page shell every page shares, and the small pieces of markup the pages are built from."""

from __future__ import annotations

from collections.abc import Callable

from greenreg.web.html import Markup, render
from greenreg.web.labels import UI, Label
from greenreg.web.words import place

AssetUrl = Callable[[str], str]
"""Gives the URL of a static asset (``"web.css"`` -> ``"/static/web.css?v=..."``)."""


def bilingual(label: Label) -> Markup:
    """Chinese first, English beside it (hidden from nothing: both are always shown)."""
    if not label.en:
        return render("<span>{zh}</span>", zh=label.zh)
    return render('<span>{zh}</span> <span class="en" lang="en">{en}</span>', **vars(label))


def location(division: str) -> str:
    """Where a unit is, in words: 江苏省 苏州市 虎丘区 (as far as its code goes)."""
    return place(division)


def badge(status: Label, code: str) -> Markup:
    """A designation's status, coloured by its code (listed green, removed grey...)."""
    return render(
        '<span class="badge status-{code}">{text}</span>', code=code, text=bilingual(status)
    )


def search_form(query: str, autofocus: bool = False) -> Markup:
    return render(
        '<form class="search" action="/" method="get" role="search">'
        '<label for="q">{label}</label><div class="row">'
        '<input id="q" name="q" type="search" value="{query}" placeholder="{placeholder}" '
        'maxlength="100" autocomplete="off" enterkeyhint="search" spellcheck="false"{autofocus}>'
        '<button type="submit">{button}</button></div></form>',
        label=bilingual(UI["placeholder"]),
        query=query,
        placeholder=str(UI["placeholder"]),
        autofocus=Markup(" autofocus") if autofocus else Markup(""),
        button=bilingual(UI["search"]),
    )


def page(title: str, body: Markup, asset: AssetUrl) -> Markup:
    """A whole HTML document: no web fonts, no third-party request, one stylesheet, one
    deferred script that only adds search-as-you-type."""
    return render(
        "<!doctype html>\n"
        '<html lang="zh-Hans"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        '<meta name="color-scheme" content="light">'
        "<title>{title}</title>"
        '<link rel="stylesheet" href="{css}">'
        '<script src="{js}" defer></script></head>'
        '<body><header><a class="home" href="/">{home}</a></header>'
        "<main>{body}</main>"
        "<footer>{footer}</footer></body></html>",
        title=title,
        css=asset("web.css"),
        js=asset("search.js"),
        home=bilingual(UI["title"]),
        body=body,
        footer=bilingual(UI["footer"]),
    )
