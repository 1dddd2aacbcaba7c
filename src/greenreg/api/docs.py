"""The API's documentation pages, served whole by the registry: they work offline.

    /docs           Swagger UI over ``/openapi.json``
    /redoc          ReDoc over ``/openapi.json`` (no web font: the browser's own)
    /graphql        GraphiQL, when a browser asks (see :mod:`greenreg.api.app`)
    /docs/assets/   their scripts and stylesheets, with their licences

The assets are the files of their npm packages at pinned versions, vendored in
``greenreg/api/static/<package>@<version>/`` by ``python -m tools.docs_assets``, which checks
each file's SHA-256 against ``static/manifest.json``. A URL names the version, so a browser may
keep a file as long as it likes. Swagger UI's validator badge (an image from
validator.swagger.io) is turned off.
"""

from __future__ import annotations

import html
import json
from functools import cache
from importlib import resources
from pathlib import Path

from fastapi import APIRouter, FastAPI
from fastapi.openapi.docs import get_redoc_html, get_swagger_ui_html
from fastapi.responses import HTMLResponse
from fastapi.staticfiles import StaticFiles

ASSETS_PATH = "/docs/assets"
POLICY = {
    "Content-Security-Policy": "default-src 'self'; script-src 'self' 'unsafe-inline'; "
    "style-src 'self' 'unsafe-inline'; img-src 'self' data:; font-src 'self' data:; "
    "worker-src 'self' blob:; connect-src 'self'; frame-ancestors 'none'; base-uri 'none'"
}
"""The documentation pages may load nothing from anywhere but the registry: ReDoc's sidebar
shows Redocly's logo from cdn.redoc.ly, which the browser then does not even ask for (each
page starts its viewer with an inline script, and the viewers set inline styles)."""


@cache
def versions() -> dict[str, str]:
    """Each vendored package's version, by name (from the manifest)."""
    manifest = resources.files("greenreg.api") / "static" / "manifest.json"
    packages = json.loads(manifest.read_text(encoding="utf-8"))["packages"]
    return {p["name"]: p["version"] for p in packages}


def asset(package: str, file: str) -> str:
    """The URL of a vendored file: ``/docs/assets/<package>@<version>/<file>``."""
    return f"{ASSETS_PATH}/{package}@{versions()[package]}/{file}"


def docs_router(app: FastAPI) -> APIRouter:
    """``/docs`` and ``/redoc`` over the app's OpenAPI document, with vendored assets (build
    the app with ``docs_url=None, redoc_url=None``)."""
    router = APIRouter(include_in_schema=False)
    openapi_url = app.openapi_url or "/openapi.json"
    favicon = asset("swagger-ui-dist", "favicon-32x32.png")

    @router.get("/docs")
    def swagger_ui() -> HTMLResponse:
        return confined(
            get_swagger_ui_html(
                openapi_url=openapi_url,
                title=f"{app.title}: REST API",
                swagger_js_url=asset("swagger-ui-dist", "swagger-ui-bundle.js"),
                swagger_css_url=asset("swagger-ui-dist", "swagger-ui.css"),
                swagger_favicon_url=favicon,
                swagger_ui_parameters={"validatorUrl": None},
            )
        )

    @router.get("/redoc")
    def redoc() -> HTMLResponse:
        return confined(
            get_redoc_html(
                openapi_url=openapi_url,
                title=f"{app.title}: REST API",
                redoc_js_url=asset("redoc", "redoc.standalone.js"),
                redoc_favicon_url=favicon,
                with_google_fonts=False,
            )
        )

    return router


def confined(page: HTMLResponse) -> HTMLResponse:
    """The page, with the policy that keeps it to the registry."""
    page.headers.update(POLICY)
    return page


def install_docs(app: FastAPI) -> None:
    """Serve ``/docs``, ``/redoc`` and the assets (GraphiQL's page is the GraphQL router's)."""
    app.include_router(docs_router(app))
    folder = Path(str(resources.files("greenreg.api") / "static"))
    app.mount(ASSETS_PATH, StaticFiles(directory=folder), name="docs-assets")


GRAPHIQL = """<!doctype html>
<html lang="en">
  <head>
    <meta charset="utf-8">
    <title>{title}</title>
    <link rel="icon" href="{favicon}">
    <link rel="stylesheet" href="{css}">
    <style>
      body {{ height: 100%; margin: 0; width: 100%; overflow: hidden; }}
      #graphiql {{ height: 100vh; display: flex; }}
    </style>
    <script src="{react}"></script>
    <script src="{react_dom}"></script>
  </head>
  <body>
    <div id="graphiql" class="graphiql-container">Loading...</div>
    <script src="{graphiql}"></script>
    <script>
      const parameters = new URLSearchParams(window.location.search);
      const fetcher = GraphiQL.createFetcher({{ url: window.location.href.split("?")[0] }});
      const root = ReactDOM.createRoot(document.getElementById("graphiql"));
      root.render(React.createElement(GraphiQL, {{
        fetcher: fetcher,
        defaultQuery: {default_query},
        query: parameters.get("query") || undefined,
        variables: parameters.get("variables") || undefined,
        defaultEditorToolsVisibility: true,
        inputValueDeprecation: true,
        isHeadersEditorEnabled: true,
      }}));
    </script>
  </body>
</html>
"""

DEFAULT_QUERY = """# greenreg's GraphQL API. Run a query with Ctrl-Enter or the play button;
# the schema is in the documentation explorer (the book icon).
{
  checkpoint {
    size
    root
  }
  search(text: "苏州", first: 3) {
    unit {
      name
    }
  }
}
"""


@cache
def graphiql_html(title: str = "greenreg: GraphQL") -> str:
    """GraphiQL's page, its scripts and stylesheet served by the registry."""
    return GRAPHIQL.format(
        title=html.escape(title),
        favicon=asset("swagger-ui-dist", "favicon-32x32.png"),
        css=asset("graphiql", "graphiql.min.css"),
        react=asset("react", "react.production.min.js"),
        react_dom=asset("react-dom", "react-dom.production.min.js"),
        graphiql=asset("graphiql", "graphiql.min.js"),
        default_query=json.dumps(DEFAULT_QUERY).replace("</", "<\\/"),
    )
