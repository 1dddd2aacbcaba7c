"""Where the code reads a name: the lines that run a change made outside any function.

A table or constant in a module or class body (``removal_grounds``, ``HOLDING``, ``BAN``) is
built at import, before any test runs, so coverage credits no test with it. What runs the
change is the code that reads the name: every line of ``src/greenreg`` that names it (``NAME``,
``x.NAME``, ``from m import NAME as ALIAS``), followed through other module-level statements
(``BAN`` is read by the class body that builds ``removal_grounds``, which functions read).

Dynamic reads (``getattr`` with a computed name, ``dataclasses.fields``) are not followed.
"""

from __future__ import annotations

import ast
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from tools.mutation.mutants import bound_names


@dataclass(frozen=True)
class Reference:
    path: str
    line: int
    in_function: bool
    binds: tuple[str, ...]  # outside functions: the names of the enclosing statement


@cache
def index(root: Path) -> dict[str, tuple[Reference, ...]]:
    """Every reference to every name in ``src/greenreg``, by name."""
    found: dict[str, list[Reference]] = {}
    for path in sorted((root / "src" / "greenreg").rglob("*.py")):
        relative = path.relative_to(root).as_posix()
        _Indexer(relative, found).visit(ast.parse(path.read_bytes()))
    return {name: tuple(refs) for name, refs in found.items()}


def reading_lines(root: Path, names: Iterable[str]) -> dict[str, set[int]]:
    """The lines, inside functions, that read any of ``names`` directly or through other
    module-level names; by file."""
    by_name = index(root)
    lines: dict[str, set[int]] = {}
    todo, seen = list(names), set(names)
    while todo:
        for reference in by_name.get(todo.pop(), ()):
            if reference.in_function:
                lines.setdefault(reference.path, set()).add(reference.line)
                continue
            for name in reference.binds:
                if name not in seen:
                    seen.add(name)
                    todo.append(name)
    return lines


class _Indexer(ast.NodeVisitor):
    def __init__(self, path: str, found: dict[str, list[Reference]]) -> None:
        self.path = path
        self.found = found
        self.functions = 0
        self.bound: list[tuple[str, ...]] = [()]

    def visit(self, node: ast.AST) -> None:
        if isinstance(node, ast.stmt) and not self.functions:
            self.bound.append(bound_names(node))
            self._visit_inside(node)
            self.bound.pop()
            return
        self._visit_inside(node)

    def _visit_inside(self, node: ast.AST) -> None:
        if isinstance(node, ast.Name):
            self._add(node.id, node)
        elif isinstance(node, ast.Attribute):
            self._add(node.attr, node)
        elif isinstance(node, ast.ImportFrom):
            for alias in node.names:
                if alias.asname:  # the alias is read in this module under its new name
                    self._add(alias.name, node, binds=(alias.asname,))
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda):
            for child in (*getattr(node, "decorator_list", ()), node.args):
                self.visit(child)
            self.functions += 1
            body = node.body if isinstance(node.body, list) else [node.body]
            for statement in body:
                self.visit(statement)
            self.functions -= 1
            return
        self.generic_visit(node)

    def _add(self, name: str, node: ast.AST, binds: tuple[str, ...] | None = None) -> None:
        reference = Reference(
            self.path,
            node.lineno,  # type: ignore[attr-defined]
            self.functions > 0,
            self.bound[-1] if binds is None else binds,
        )
        self.found.setdefault(name, []).append(reference)
