"""The web pages' routes: ``/`` (lookup), ``/results`` (the results fragment, for the script),
``/units/{id}`` (a unit's page, its green code's QR image and statement), ``/v/{reference}``
(the page a scanned green code opens; also ``/V/...``, as the QR code spells it) and
``/static/{name}`` (the page's CSS and JS).

Routes only translate: they read the request, ask :class:`~greenreg.projections.queries.Queries`
and hand the answers to the page modules. They are left out of the OpenAPI schema (they answer
HTML for people, not JSON for programs).
"""

from __future__ import annotations

from collections.abc import Callable
from uuid import UUID

from anyio import CapacityLimiter, to_thread
from fastapi import APIRouter, HTTPException, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from greenreg.errors import GreenregError, NotFoundError
from greenreg.green_codes import GreenCodes
from greenreg.projections.queries import Queries
from greenreg.projections.views import DesignationView
from greenreg.registry.application import Registry
from greenreg.storage.queries import DATA_VERSION_HEADER, AnsweredAt
from greenreg.web.assets import asset_url, assets
from greenreg.web.green_code import signed_figure, url_figure, withheld_figure
from greenreg.web.green_code_routes import green_code_router
from greenreg.web.html import Markup
from greenreg.web.lookup import counts_by_province, lookup_page, message, results
from greenreg.web.unit_page import UnitPage, not_found_page, unit_page
from greenreg.witness.cosignature import WitnessPolicy

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


def _html(
    markup: Markup, status_code: int = 200, version: AnsweredAt | None = None
) -> HTMLResponse:
    """A page; with the data ``version`` it was read at, stated as every read answer states it
    (and so tagged for caches, :mod:`greenreg.api.caching`), instead of ``no-cache``."""
    headers = dict(SECURITY_HEADERS)
    if version is not None:
        del headers["Cache-Control"]
        headers[DATA_VERSION_HEADER] = version.header()
    return HTMLResponse(str(markup), status_code=status_code, headers=headers)


def router(
    queries: Queries,
    *,
    registry: Registry | None = None,
    public_url: str | None = None,
    version: Callable[[], AnsweredAt] | None = None,
    witnesses: WitnessPolicy | None = None,
    short_reads: CapacityLimiter | None = None,
) -> APIRouter:
    """The web pages, reading through ``queries``.

    With ``registry`` (and a transparency log key in its store), a unit's green code is a
    signed statement of its designations (:mod:`greenreg.green_codes`), its QR code the short
    URL of the page that checks it (``/V/...``), the statement also served as JSON at
    ``/units/{id}/green-code.json``; without, its QR code holds the page's URL. ``public_url``
    is the registry's public address (e.g. ``https://greenreg.example``) for those URLs; by
    default the address the request came to. With ``version`` (the data version, read before
    a page's questions) the lookup and unit pages state it. With ``witnesses`` (the registry's
    witness policy) a green code names the latest witnessed checkpoint where it can, and the
    page a scanned code opens says which witnesses cosigned a checkpoint that covers it.
    ``short_reads``: how many searches and unit pages run at once (as the API's short reads,
    :attr:`greenreg.api.reading.Reads.short_reads`; ``None``: as many as the thread pool
    takes).
    """
    pages = APIRouter(include_in_schema=False)
    one_snapshot = queries.store.in_one_snapshot  # a page is the read models at one moment
    green_codes = GreenCodes(registry, witnesses) if registry is not None else None

    def base_of(request: Request) -> str:
        return public_url.rstrip("/") if public_url else str(request.base_url).rstrip("/")

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

    @one_snapshot
    def searched(q: str, whole: bool) -> HTMLResponse:
        """The lookup page (``whole``) or its results fragment, for ``q``."""
        at = _stated(version)
        fragment, status = search(q)
        if whole:
            return _html(lookup_page(q.strip(), fragment, asset_url), status, at)
        return _html(fragment, status, at)

    @pages.get("/", response_class=HTMLResponse)
    async def lookup(q: str = QueryText) -> HTMLResponse:
        return await to_thread.run_sync(searched, q, True, limiter=short_reads)

    @pages.get("/results", response_class=HTMLResponse)
    async def results_fragment(q: str = QueryText) -> HTMLResponse:
        return await to_thread.run_sync(searched, q, False, limiter=short_reads)

    @pages.get("/units/{reference}", response_class=HTMLResponse, name="unit_page")
    async def unit(reference: str, request: Request) -> Response:
        base = base_of(request)
        return await to_thread.run_sync(unit_read, reference, base, limiter=short_reads)

    @one_snapshot
    def unit_read(reference: str, base: str) -> Response:
        """A unit's page, the registry's address being ``base``."""
        at = _stated(version)
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
        data = UnitPage(
            unit=view,
            designations=designations,
            bans=queries.bans(unit_id=unit_id),
            timeline=history.entries,
            related=related,
            green_code=_green_code(green_codes, unit_id, designations, base),
        )
        return _html(unit_page(data, asset_url), version=at)

    pages.include_router(green_code_router(queries, green_codes, base_of, _html))

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


def _stated(version: Callable[[], AnsweredAt] | None) -> AnsweredAt | None:
    """The data version a page is read at, before its questions (``None``: none stated)."""
    return version() if version is not None else None


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
        return signed_figure(signed, f"/units/{unit_id}", base)
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
