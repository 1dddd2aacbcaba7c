"""The public lookup pages: server-rendered HTML for people, served by the app itself.

Mount them with ``app.include_router(greenreg.web.router(queries))``: ``/`` (search and the
counts-by-province chart), ``/units/{id}`` (a unit's page with its timeline and green code),
``/results`` (the results fragment behind search-as-you-type), ``/v/...`` (the page a scanned
green code opens: the statement, checked in the browser) and ``/static/...`` (CSS and JS).
"""

from greenreg.web.routes import router

__all__ = ["router"]
