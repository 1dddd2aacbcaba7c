"""The web pages' routes: ``/`` (lookup), ``/results`` (the results fragment, for the script),
``/units/{id}`` (a unit's page) and ``/static/{name}`` (the page's CSS and JS).

Routes only translate: they read the request, ask :class:`~greenreg.projections.queries.Queries`
and hand the answers to the page modules. They are left out of the OpenAPI schema (they answer
HTML for people, not JSON for programs).
"""

from __future__ import annotations

from uuid import UUID

from fastapi import APIRouter, HTTPException, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from greenreg.errors import GreenregError, NotFoundError
from greenreg.projections.queries import Queries
from greenreg.projections.views import DesignationView
from greenreg.registry.application import Registry
from greenreg.web.assets import asset_url, assets
from greenreg.web.green_code import (
    GreenCode,
    GreenCodes,
    signed_figure,
    url_figure,
    withheld_figure,
)
from greenreg.web.html import Markup
from greenreg.web.lookup import counts_by_province, lookup_page, message, results
from greenreg.web.unit_page import UnitPage, not_found_page, unit_page

MAX_QUERY = 100
MAX_HITS = 20

#: Pages load nothing from elsewhere; inline scripts and styles are not used either.
SECURITY_HEADERS = {
    "Content-Security-Policy": (
        "default-src 'none'; style-src 'self'; script-src 'self'; connect-src 'self'; "
        "img-src 'self' data:; form-action 'self'; base-uri 'none'; frame-ancestors 'none'"
    ),
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "Cache-Control": "no-cache",
}

QueryText = Query(default="", description="a name, a former name or a credit code")


def _html(markup: Markup, status_code: int = 200) -> HTMLResponse:
    return HTMLResponse(str(markup), status_code=status_code, headers=SECURITY_HEADERS)


def router(
    queries: Queries, *, registry: Registry | None = None, public_url: str | None = None
) -> APIRouter:
    """The web pages, reading through ``queries``.

    With ``registry`` (and a transparency log key in its store), a unit's green code is a
    signed statement of its designations (:mod:`greenreg.receipts`), also served as JSON at
    ``/units/{id}/green-code.json``; without, its QR code holds the page's URL. ``public_url``
    is the registry's public address (e.g. ``https://greenreg.example``) for those URLs; by
    default the address the request came to.
    """
    pages = APIRouter(include_in_schema=False)
    green_codes = GreenCodes(registry) if registry is not None else None

    def search(query: str) -> tuple[Markup, int]:
        """The results fragment for ``query`` and its HTTP status."""
        query = query.strip()
        if len(query) > MAX_QUERY:
            return message(
                f"查询内容过长（最多{MAX_QUERY}个字符）。"
                f" The search text is too long: at most {MAX_QUERY} characters."
            ), 400
        if not query:
            counts = counts_by_province(queries.statistics())
            return results("", [], counts, queries.coverage()), 200
        try:
            found = queries.lookup(query, limit=MAX_HITS)
        except GreenregError as error:
            return message(f"无法查询。 The search could not be run: {error}"), 400
        covered = None if found else queries.coverage()
        return results(query, found, [], covered), 200

    @pages.get("/", response_class=HTMLResponse)
    def lookup(q: str = QueryText) -> HTMLResponse:
        fragment, status = search(q)
        return _html(lookup_page(q.strip(), fragment, asset_url), status)

    @pages.get("/results", response_class=HTMLResponse)
    def results_fragment(q: str = QueryText) -> HTMLResponse:
        fragment, status = search(q)
        return _html(fragment, status)

    @pages.get("/units/{reference}", response_class=HTMLResponse, name="unit_page")
    def unit(reference: str, request: Request) -> Response:
        unit_id = _unit_id(queries, reference)
        if unit_id is None:
            return _html(not_found_page(reference, asset_url), 404)
        if str(unit_id) != reference:  # a credit code: send the browser to the canonical URL
            return RedirectResponse(f"/units/{unit_id}", status_code=303)
        view = queries.unit(unit_id)
        history = queries.history(unit_id)
        if view is None or history is None:
            return _html(not_found_page(reference, asset_url), 404)
        linked = [*view.predecessors, *view.successors]
        related = {str(u.id): u for u in queries.units_by_ids(linked) if u is not None}
        designations = queries.designations_of([unit_id])[0]
        base = public_url.rstrip("/") if public_url else str(request.base_url).rstrip("/")
        data = UnitPage(
            unit=view,
            designations=designations,
            bans=queries.bans(unit_id=unit_id),
            timeline=history.entries,
            related=related,
            green_code=_green_code(green_codes, unit_id, designations, base),
        )
        return _html(unit_page(data, asset_url))

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
        """The signed green code, as ``greenreg receipt verify`` reads it."""
        return Response(
            signed_code(unit_id).json + "\n",
            media_type="application/json",
            headers={
                "Content-Disposition": f'attachment; filename="green-code-{unit_id}.json"',
                "Cache-Control": "no-cache",
            },
        )

    @pages.get("/units/{unit_id}/green-code.svg")
    def green_code_svg(unit_id: UUID) -> Response:
        """The signed green code's QR code: the same JSON as ``green-code.json``."""
        return Response(
            signed_code(unit_id).svg,
            media_type="image/svg+xml",
            headers={"Cache-Control": "no-cache", "X-Content-Type-Options": "nosniff"},
        )

    @pages.get("/static/{name}")
    def static(name: str) -> Response:
        asset = assets().get(name)
        if asset is None:
            raise HTTPException(404, f"no static file {name!r}")
        return Response(
            asset.content,
            media_type=asset.media_type,
            headers={
                "Cache-Control": "public, max-age=31536000, immutable",
                "X-Content-Type-Options": "nosniff",
            },
        )

    return pages


def _green_code(
    green_codes: GreenCodes | None,
    unit_id: UUID,
    designations: list[DesignationView],
    base: str,
) -> Markup:
    """The unit's green code, or why it has none: only a usable title earns one."""
    if not any(d.in_force for d in designations):
        return withheld_figure(designations)
    try:
        signed = green_codes.of(unit_id) if green_codes is not None else None
    except NotFoundError:  # its last title became unusable since the read models caught up
        return withheld_figure(designations)
    if signed is not None:
        return signed_figure(signed, f"/units/{unit_id}")
    return url_figure(f"{base}/units/{unit_id}")


def _unit_id(queries: Queries, reference: str) -> UUID | None:
    """The unit a URL names: its id, or a credit code; ``None`` when there is no such unit."""
    try:
        return UUID(reference)
    except ValueError:
        pass
    try:
        return queries.unit_id_for_credit_code(reference)
    except GreenregError:
        return None
