"""The OpenAPI document, completed where FastAPI leaves it short.

- The problem schemas (``components.schemas.Problem``, ``EntriesProblem``) that the refusals
  name (see :mod:`greenreg.api.problems`), and on every operation the refusals any route may
  give (``4XX``, ``5XX``: a method the path does not take, a body too large, a database that
  does not answer, a deadline passed).
- The answers' examples as written: FastAPI drops every ``null`` member of the document, so an
  example's ``"grade": null`` would vanish and the example would no longer conform to its own
  schema. Each example given with :func:`~greenreg.api.answers.example` is put back whole.
"""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI

from greenreg.api.answers import EXAMPLES
from greenreg.api.problems import ANY_REFUSAL, BadEntryModel, EntriesProblem, Problem


def install_openapi(app: FastAPI) -> None:
    generate = app.openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            document = generate()
            schemas = document.setdefault("components", {}).setdefault("schemas", {})
            for model in (Problem, EntriesProblem, BadEntryModel):
                found = model.model_json_schema(ref_template="#/components/schemas/{model}")
                schemas.update(found.pop("$defs", {}))
                schemas[model.__name__] = found
            for schema in schemas.values():
                if schema.get("title") in EXAMPLES:
                    schema["examples"] = [EXAMPLES[schema["title"]]]
            for operation in _operations(document):
                for status, response in ANY_REFUSAL.items():
                    operation["responses"].setdefault(str(status), response)
        return app.openapi_schema or {}

    app.openapi = openapi  # type: ignore[method-assign]


def _operations(document: dict[str, Any]) -> list[dict[str, Any]]:
    return [
        operation
        for path in document.get("paths", {}).values()
        for operation in path.values()
        if isinstance(operation, dict) and "responses" in operation
    ]
