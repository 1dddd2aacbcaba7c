"""The core knows nothing of the web, GraphQL or the database driver.

``greenreg.events`` (the vocabulary, acts and signatures) and ``greenreg.registry`` (the
application, commands, workspace, aggregates and rulebooks) are the core. The HTTP API
(FastAPI), the GraphQL schema (Strawberry) and the PostgreSQL driver (psycopg, chosen at run
time by the persistence settings) sit outside it and may depend on it, never the reverse.
Checked twice: by importing every core module in a fresh interpreter, and by reading every core
module's imports.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

import pytest

import greenreg
from tests.support import in_fresh_interpreter

FORBIDDEN = ("fastapi", "starlette", "strawberry", "psycopg", "psycopg_pool")
"""Top-level packages the core must not import (directly or through anything it imports)."""

OUTER_LAYERS = ("greenreg.api", "greenreg.graphql", "greenreg.cli")
"""greenreg's own adapters: they import the core, the core does not import them."""

PACKAGE_DIR = Path(greenreg.__file__).parent
CORE = ("events", "registry")

IMPORT_EVERYTHING = """
import importlib, json, pkgutil, sys
imported = []
for name in ("greenreg.events", "greenreg.registry"):
    package = importlib.import_module(name)
    imported.append(name)
    for module in pkgutil.walk_packages(package.__path__, name + "."):
        importlib.import_module(module.name)
        imported.append(module.name)
forbidden = sorted(m for m in sys.modules if m.split(".")[0] in FORBIDDEN)
print(json.dumps({"imported": imported, "forbidden": forbidden}))
"""


def test_importing_the_core_loads_no_web_graphql_or_driver_module() -> None:
    report = in_fresh_interpreter(f"FORBIDDEN = {FORBIDDEN!r}\n{IMPORT_EVERYTHING}")

    # The walk really reached every core module, the application and rulebooks included.
    expected = {
        ".".join(path.relative_to(PACKAGE_DIR.parent).with_suffix("").parts).removesuffix(
            ".__init__"
        )
        for path in core_files()
    }
    assert set(report["imported"]) == expected
    assert "greenreg.registry.application" in expected
    assert "greenreg.registry.commands.designations" in expected
    assert "greenreg.registry.workspace" in expected
    assert "greenreg.registry.rulebooks.chongqing" in expected
    assert "greenreg.events.signing" in expected

    assert report["forbidden"] == []


def core_files() -> Iterator[Path]:
    for layer in CORE:
        yield from sorted((PACKAGE_DIR / layer).rglob("*.py"))


def imported_names(path: Path) -> Iterator[tuple[int, str]]:
    """Every absolute module name ``path`` imports, with its line; also the string given to
    ``importlib.import_module`` or ``__import__``."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield node.lineno, alias.name
        elif isinstance(node, ast.ImportFrom):
            if node.level == 0 and node.module:
                yield node.lineno, node.module
                for alias in node.names:
                    yield node.lineno, f"{node.module}.{alias.name}"
        elif isinstance(node, ast.Call):
            function = node.func
            name = (
                function.attr
                if isinstance(function, ast.Attribute)
                else getattr(function, "id", "")
            )
            if name in ("import_module", "__import__") and node.args:
                first = node.args[0]
                if isinstance(first, ast.Constant) and isinstance(first.value, str):
                    yield node.lineno, first.value


def within(name: str, packages: tuple[str, ...]) -> bool:
    return any(name == p or name.startswith(p + ".") for p in packages)


@pytest.mark.parametrize(
    "path",
    list(core_files()),
    ids=lambda p: str(p.relative_to(PACKAGE_DIR)),
)
def test_no_core_module_imports_the_outer_layers(path: Path) -> None:
    names = list(imported_names(path))
    assert names or path.name == "__init__.py", "the parser found no imports at all"
    outside = [
        f"line {line}: {name}"
        for line, name in names
        if within(name, FORBIDDEN) or within(name, OUTER_LAYERS)
    ]
    assert outside == [], f"{path.relative_to(PACKAGE_DIR)} imports {outside}"


@pytest.mark.parametrize(
    "path",
    sorted((PACKAGE_DIR / "events").rglob("*.py")),
    ids=lambda p: str(p.relative_to(PACKAGE_DIR)),
)
def test_the_event_vocabulary_does_not_import_the_registry(path: Path) -> None:
    upward = [
        f"line {line}: {name}"
        for line, name in imported_names(path)
        if within(name, ("greenreg.registry", "greenreg.bootstrap"))
    ]
    assert upward == [], f"{path.relative_to(PACKAGE_DIR)} imports {upward}"


def test_the_static_check_sees_what_it_looks_for(tmp_path: Path) -> None:
    """The checker itself: every way of writing an import is seen."""
    sample = tmp_path / "sample.py"
    sample.write_text(
        "import fastapi\n"
        "import psycopg.rows as rows\n"
        "from strawberry import type as t\n"
        "from psycopg_pool import ConnectionPool\n"
        "from . import sibling\n"
        "import importlib\n"
        "importlib.import_module('psycopg')\n"
        "__import__('starlette.routing')\n"
        "def later():\n"
        "    from greenreg.api import app\n",
        encoding="utf-8",
    )
    names = {name for _, name in imported_names(sample)}
    found = {n for n in names if within(n, FORBIDDEN) or within(n, OUTER_LAYERS)}
    assert found >= {
        "fastapi",
        "psycopg.rows",
        "strawberry",
        "psycopg_pool",
        "psycopg",
        "starlette.routing",
        "greenreg.api",
    }
    assert "sibling" not in names
