"""A unit's green code (企业绿码, 003 art. 26) as an inline SVG QR code.

The QR code holds the unit's public page URL: scanning it opens the page, served by the
registry, that shows the unit's designations as the registry holds them now.
"""

from __future__ import annotations

import segno

from greenreg.web.html import Markup, render


def green_code(url: str) -> Markup:
    """An SVG QR code of ``url`` (error correction M), sized by CSS, with the URL under it."""
    qr = segno.make(url, error="m", micro=False)
    svg = qr.svg_inline(scale=1, border=2, omitsize=True, svgclass="qr", title=url)
    return render(
        '{svg}<figcaption><a href="{url}">{url}</a></figcaption>', svg=Markup(svg), url=url
    )
