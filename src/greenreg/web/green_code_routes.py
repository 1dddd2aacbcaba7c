"""The routes of green codes: a unit's code (its statement as JSON, its QR code as PNG and SVG)
and the page a scanned code opens, ``/v/{reference}`` (also ``/V/...``, as the QR code spells
it; see :mod:`greenreg.code_reference`).

An address that names no statement answers a 404 page that says the code is not valid and why
(never an error); one that names a statement answers it with the server's verdict, and the page
checks it again in the browser (:mod:`greenreg.web.scan_page`).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from uuid import UUID

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import HTMLResponse, Response

from greenreg.code_reference import CodeReferenceError, parse, qr_png, qr_svg, scan_url
from greenreg.errors import NotFoundError
from greenreg.green_codes import GreenCode, GreenCodes
from greenreg.projections.queries import Queries
from greenreg.receipts import ReceiptText
from greenreg.web.assets import asset_url
from greenreg.web.html import Markup
from greenreg.web.scan_page import Verdict, Witnessing, nothing_label, scan_page, verdict_of


def green_code_router(
    queries: Queries,
    green_codes: GreenCodes | None,
    base_of: Callable[[Request], str],
    html: Callable[[Markup, int], HTMLResponse],
) -> APIRouter:
    """The green code routes; ``base_of`` gives the registry's public address for a request,
    ``html`` answers a page with the pages' security headers."""
    pages = APIRouter(include_in_schema=False)

    def code_of(reference: str) -> tuple[GreenCodes, GreenCode, bytes]:
        parsed = parse(reference)
        if green_codes is None:
            raise NotFoundError("this registry signs no green codes")
        code = green_codes.at(parsed.registered, parsed.size, parsed.signature)
        return green_codes, code, parsed.signature

    def signed_code(unit_id: UUID) -> GreenCode:
        code = None
        if green_codes is not None and queries.unit(unit_id) is not None:
            try:
                code = green_codes.of(unit_id)
            except NotFoundError as refused:
                raise HTTPException(404, str(refused)) from None
        if code is None:
            raise HTTPException(404, "no signed green code for this unit")
        return code

    @pages.get("/units/{unit_id}/green-code.json")
    def green_code_json(unit_id: UUID) -> Response:
        """The signed green code as a receipt file (docs/receipts.md 2.5), as ``greenreg
        receipt verify`` reads it: the statement, the proof that the root declared the log key
        that signed it, and the witnessed checkpoint that covers it once there is one."""
        code = signed_code(unit_id)
        assert green_codes is not None  # noqa: S101 (a signed code means green codes)
        witnessed = green_codes.witnessed(code)
        file = ReceiptText(
            code.json,
            str(code.statement["key_id"]),
            green_codes.log_key_proof(code),
            None if witnessed is None else witnessed.as_json(),
        ).file()
        return Response(
            json.dumps(file, ensure_ascii=False, separators=(",", ":")) + "\n",
            media_type="application/json",
            headers={
                "Content-Disposition": f'attachment; filename="green-code-{unit_id}.json"',
                "Cache-Control": "no-cache",
            },
        )

    @pages.get("/units/{unit_id}/green-code.png")
    def green_code_png(unit_id: UUID, request: Request) -> Response:
        """The green code's QR code, a PNG of the URL that checks it (``/V/...``)."""
        url = scan_url(base_of(request), signed_code(unit_id).reference)
        return Response(qr_png(url), media_type="image/png", headers={"Cache-Control": "no-cache"})

    @pages.get("/units/{unit_id}/green-code.svg")
    def green_code_svg(unit_id: UUID, request: Request) -> Response:
        """The same QR code as SVG (for print)."""
        url = scan_url(base_of(request), signed_code(unit_id).reference)
        return Response(
            qr_svg(url),
            media_type="image/svg+xml",
            headers={"Cache-Control": "no-cache", "X-Content-Type-Options": "nosniff"},
        )

    @pages.get("/v/{reference:path}", response_class=HTMLResponse)
    @pages.get("/V/{reference:path}", response_class=HTMLResponse)
    def scanned(reference: str) -> HTMLResponse:
        """The page a scanned green code opens: the statement and whether it holds."""
        try:
            codes, code, signature = code_of(reference)
        except (CodeReferenceError, NotFoundError) as refused:
            verdict = Verdict("invalid", nothing_label(str(refused)))
            return html(scan_page(None, verdict, asset_url), 404)
        verdict = verdict_of(code, signature, code.public_key)
        witnessing = None if codes.policy is None else Witnessing(codes.witnessed(code))
        return html(scan_page(code, verdict, asset_url, witnessing), 200)

    return pages
