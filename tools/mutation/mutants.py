"""The mutants of one source file: small, single changes to the law, each a byte-range edit.

Operators (the ``operator`` of a mutant):

- ``compare``: ``<`` ↔ ``<=``, ``>`` ↔ ``>=``, ``==`` ↔ ``!=`` in Python comparisons;
- ``sql_compare``: the same swaps (``<`` ↔ ``<=``, ``>`` ↔ ``>=``) inside SQL string literals,
  where the known-at and as-of boundaries of the read models' queries live;
- ``number``: an integer constant plus one and minus one;
- ``boolean``: ``True`` ↔ ``False``;
- ``and_or``: ``and`` ↔ ``or`` (every operator of one boolean expression);
- ``raise``: a ``raise`` statement replaced by ``pass``;
- ``remove_element``: one element left out of a tuple, set or list of string literals, or one
  entry left out of a dict whose keys are string literals (the tables of codes and grounds);
- ``string``: a string literal changed (``"x"`` → ``"XXxXX"``) where it is an element of such a
  collection or an operand of a comparison (``status == "listed"``, ``"warned" in statuses``).

Docstrings, annotations (``Literal[...]`` included), ``__all__``, ``__slots__`` and lines carrying
``pragma: no mutate`` are left alone.
"""

from __future__ import annotations

import ast
import io
import re
import sys
import tokenize
from collections import Counter
from dataclasses import dataclass, replace
from pathlib import Path

COMPARE_SWAPS: dict[type[ast.cmpop], tuple[str, str]] = {
    ast.Lt: ("<", "<="),
    ast.LtE: ("<=", "<"),
    ast.Gt: (">", ">="),
    ast.GtE: (">=", ">"),
    ast.Eq: ("==", "!="),
    ast.NotEq: ("!=", "=="),
}
SQL_SWAPS = {"<": "<=", "<=": "<", ">": ">=", ">=": ">"}
SQL_OPERATOR = re.compile(r"<>|<=|>=|<|>")
SQL_WORDS = re.compile(r"\b(SELECT|WHERE|JOIN|UPDATE|DELETE|INSERT|AND|OR)\b")
NO_MUTATE = "pragma: no mutate"


@dataclass(frozen=True)
class Mutant:
    """One change: bytes ``start:end`` of ``path`` replaced by ``mutated``.

    ``scope`` is the span of lines whose coverage says which tests run the change (the
    enclosing statement up to the changed code); ``in_function`` is false for code that runs
    when the module is imported (module and class bodies), which no single test covers.
    """

    path: str
    line: int
    col: int
    start: int
    end: int
    operator: str
    original: str
    mutated: str
    scope: tuple[int, int]
    in_function: bool
    names: tuple[str, ...] = ()
    """Outside functions: the names the enclosing statement binds (``removal_grounds``,
    ``HOLDING``); the code that reads them is what runs the change."""
    id: str = ""
    """``path:line:col:operator:n``, n counting the mutants of that operator at that place."""

    def apply(self, source: bytes) -> bytes:
        return source[: self.start] + self.mutated.encode() + source[self.end :]


class _Source:
    """A file's bytes with the offsets of its lines (``ast`` columns are UTF-8 byte offsets)."""

    def __init__(self, path: str, data: bytes) -> None:
        self.path = path
        self.data = data
        self.starts = [0]
        for index, byte in enumerate(data):
            if byte == ord("\n"):
                self.starts.append(index + 1)
        self.lines = data.decode().splitlines()

    def offset(self, line: int, col: int) -> int:
        return self.starts[line - 1] + col

    def segment(self, node: ast.AST) -> tuple[int, int]:
        start = self.offset(node.lineno, node.col_offset)  # type: ignore[attr-defined]
        end = self.offset(node.end_lineno, node.end_col_offset)  # type: ignore[attr-defined]
        return start, end

    def text(self, start: int, end: int) -> str:
        return self.data[start:end].decode()

    def skipped(self, line: int) -> bool:
        return NO_MUTATE in self.lines[line - 1]


def mutants_of(path: Path, root: Path) -> list[Mutant]:
    """Every mutant of the file at ``path``, in source order (``root``: the repository)."""
    source = _Source(path.relative_to(root).as_posix(), path.read_bytes())
    tree = ast.parse(source.data, filename=str(path))
    finder = _Finder(source)
    finder.visit(tree)
    found = finder.found + _sql_mutants(source, finder)
    found = [m for m in found if not source.skipped(m.line)]
    found.sort(key=lambda m: (m.start, m.end, m.operator, m.mutated))
    named, seen = [], Counter[str]()
    for mutant in found:
        place = f"{mutant.path}:{mutant.line}:{mutant.col}:{mutant.operator}"
        seen[place] += 1
        named.append(replace(mutant, id=f"{place}:{seen[place]}"))
    return named


class _Finder(ast.NodeVisitor):
    """Walks a module, remembering the enclosing statement and whether code runs in a function."""

    def __init__(self, source: _Source) -> None:
        self.source = source
        self.found: list[Mutant] = []
        self.statements: list[ast.stmt] = []
        self.functions = 0
        self.skipped_nodes: set[int] = set()  # id() of docstrings and annotations
        self.statement_spans: list[tuple[int, int, bool, tuple[str, ...]]] = []
        self.bound: list[tuple[str, ...]] = [()]

    # -- traversal -------------------------------------------------------------------------

    def visit(self, node: ast.AST) -> None:
        if id(node) in self.skipped_nodes:
            return
        if isinstance(node, ast.Module):
            self._skip_docstring_and_annotations(node)
        if isinstance(node, ast.stmt):
            self._enter_statement(node)
            return
        self._check(node)
        super().generic_visit(node)

    def _enter_statement(self, node: ast.stmt) -> None:
        self.statements.append(node)
        if not self.functions:
            self.bound.append(bound_names(node))
        self.statement_spans.append(
            (node.lineno, node.end_lineno or node.lineno, self.functions > 0, self.bound[-1])
        )
        self._skip_docstring_and_annotations(node)
        self._check(node)
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            # Decorators and defaults run at import; only the body runs in a test.
            for child in (*node.decorator_list, node.args):
                self.visit(child)
            self.functions += 1
            for statement in node.body:
                self.visit(statement)
            self.functions -= 1
        elif isinstance(node, ast.Assign | ast.AnnAssign) and _assigns_bookkeeping(node):
            pass
        else:
            super().generic_visit(node)
        self.statements.pop()
        if not self.functions:
            self.bound.pop()

    def visit_Lambda(self, node: ast.Lambda) -> None:
        self.visit(node.args)
        self.functions += 1
        self.visit(node.body)
        self.functions -= 1

    def _skip_docstring_and_annotations(self, node: ast.stmt | ast.Module) -> None:
        body = getattr(node, "body", None)
        if isinstance(body, list) and body and _is_string_statement(body[0]):
            self.skipped_nodes.add(id(body[0]))
        if isinstance(node, ast.AnnAssign):
            self.skipped_nodes.add(id(node.annotation))
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            if node.returns is not None:
                self.skipped_nodes.add(id(node.returns))
            arguments = node.args
            for argument in (
                *arguments.posonlyargs,
                *arguments.args,
                *arguments.kwonlyargs,
                arguments.vararg,
                arguments.kwarg,
            ):
                if argument is not None and argument.annotation is not None:
                    self.skipped_nodes.add(id(argument.annotation))
        # A string alone as a statement after an assignment documents it (attribute docstring).
        for statements in (getattr(node, "body", None), getattr(node, "orelse", None)):
            if isinstance(statements, list):
                for statement in statements:
                    if _is_string_statement(statement):
                        self.skipped_nodes.add(id(statement))

    # -- operators -------------------------------------------------------------------------

    def _check(self, node: ast.AST) -> None:
        if isinstance(node, ast.Subscript) and _is_literal_type(node):
            self.skipped_nodes.add(id(node.slice))
        if isinstance(node, ast.Compare):
            self._compare(node)
        elif isinstance(node, ast.Constant):
            self._constant(node)
        elif isinstance(node, ast.BoolOp):
            self._and_or(node)
        elif isinstance(node, ast.Raise):
            self._add(node, *self.source.segment(node), "raise", "pass")
        if isinstance(node, ast.Tuple | ast.Set | ast.List | ast.Dict):
            self._collection(node)

    def _compare(self, node: ast.Compare) -> None:
        left: ast.expr = node.left
        for op, right in zip(node.ops, node.comparators, strict=True):
            swap = COMPARE_SWAPS.get(type(op))
            if swap is not None:
                found = self._operator_between(left, right, swap[0])
                if found is not None:
                    self._add(node, found, found + len(swap[0]), "compare", swap[1])
            for operand in (left, right):
                if _is_string(operand):
                    self._string(operand)
            left = right

    def _operator_between(self, left: ast.expr, right: ast.expr, operator: str) -> int | None:
        """The byte offset of ``operator`` between two operands (outside comments)."""
        start, end = self.source.segment(left)[1], self.source.segment(right)[0]
        gap = self.source.text(start, end)
        for match in re.finditer(r"#[^\n]*|<=|>=|==|!=|<|>", gap):
            if match.group() == operator:
                return start + len(gap[: match.start()].encode())
        return None

    def _constant(self, node: ast.Constant) -> None:
        if isinstance(node.value, bool):
            self._add(node, *self.source.segment(node), "boolean", str(not node.value))
        elif isinstance(node.value, int):
            for changed in (node.value + 1, node.value - 1):
                self._add(node, *self.source.segment(node), "number", str(changed))

    def _and_or(self, node: ast.BoolOp) -> None:
        old, new = ("and", "or") if isinstance(node.op, ast.And) else ("or", "and")
        start, end = self.source.segment(node)
        text = self.source.text(start, end)
        pieces, cursor = [], start
        for left, right in zip(node.values, node.values[1:], strict=False):
            gap_start, gap_end = self.source.segment(left)[1], self.source.segment(right)[0]
            gap = self.source.text(gap_start, gap_end)
            pieces.append(self.source.text(cursor, gap_start))
            pieces.append(_swap_keyword(gap, old, new))
            cursor = gap_end
        pieces.append(self.source.text(cursor, end))
        mutated = "".join(pieces)
        if mutated != text:
            self._add(node, start, end, "and_or", mutated)

    def _collection(self, node: ast.Tuple | ast.Set | ast.List | ast.Dict) -> None:
        if isinstance(node, ast.Dict):
            if not node.keys or not all(k is not None and _is_string(k) for k in node.keys):
                return
            entries = [
                f"{self._text(k)}: {self._text(v)}"
                for k, v in zip(node.keys, node.values, strict=True)
                if k is not None
            ]
            for index in range(len(entries)):
                rest = entries[:index] + entries[index + 1 :]
                self._add(node, *self.source.segment(node), "remove_element", _braced(rest))
            return
        if not node.elts or not all(_is_string(e) for e in node.elts):
            return
        elements = [self._text(e) for e in node.elts]
        for index, element in enumerate(node.elts):
            rest = elements[:index] + elements[index + 1 :]
            self._add(node, *self.source.segment(node), "remove_element", _literal(node, rest))
            self._string(element)

    def _string(self, node: ast.expr) -> None:
        if not (isinstance(node, ast.Constant) and isinstance(node.value, str)):
            return
        self._add(node, *self.source.segment(node), "string", repr(f"XX{node.value}XX"))

    # -- bookkeeping -----------------------------------------------------------------------

    def _text(self, node: ast.AST) -> str:
        return self.source.text(*self.source.segment(node))

    def _add(self, node: ast.AST, start: int, end: int, operator: str, mutated: str) -> None:
        statement = self.statements[-1]
        line = node.lineno  # type: ignore[attr-defined]
        col = node.col_offset  # type: ignore[attr-defined]
        last = node.end_lineno or line  # type: ignore[attr-defined]
        self.found.append(
            Mutant(
                path=self.source.path,
                line=line,
                col=col,
                start=start,
                end=end,
                operator=operator,
                original=self.source.text(start, end),
                mutated=mutated,
                scope=(statement.lineno, last),
                in_function=self.functions > 0,
                names=() if self.functions else self.bound[-1],
            )
        )


def _sql_mutants(source: _Source, finder: _Finder) -> list[Mutant]:
    """Comparison swaps inside the string literals that hold SQL (docstrings excluded)."""
    docstring_lines = {
        line
        for node in ast.walk(ast.parse(source.data))
        if isinstance(node, ast.Expr) and _is_string_statement(node)
        for line in range(node.lineno, (node.end_lineno or node.lineno) + 1)
    }
    found = []
    for token in tokenize.tokenize(io.BytesIO(source.data).readline):
        if token.type not in _SQL_TOKEN_TYPES or token.start[0] in docstring_lines:
            continue
        text = _outside_braces(token.string, token.type)
        if not SQL_WORDS.search(text):
            continue
        for match in SQL_OPERATOR.finditer(text):
            operator = match.group()
            if operator not in SQL_SWAPS:
                continue
            line, col = _position(token.start, token.string, match.start())
            line_text = source.lines[line - 1]
            byte_col = len(line_text[:col].encode())
            start = source.offset(line, byte_col)
            statement, in_function, names = _enclosing(finder.statement_spans, line)
            found.append(
                Mutant(
                    path=source.path,
                    line=line,
                    col=byte_col,
                    start=start,
                    end=start + len(operator),
                    operator="sql_compare",
                    original=operator,
                    mutated=SQL_SWAPS[operator],
                    scope=(statement, line),
                    in_function=in_function,
                    names=() if in_function else names,
                )
            )
    return found


_SQL_TOKEN_TYPES = {tokenize.STRING}
if sys.version_info >= (3, 12):  # f-strings are split into parts from Python 3.12 on
    _SQL_TOKEN_TYPES.add(tokenize.FSTRING_MIDDLE)


def _outside_braces(text: str, token_type: int) -> str:
    """The token's text with replacement fields of an f-string blanked (same length)."""
    prefix = re.match(r"[A-Za-z]*", text)
    if token_type != tokenize.STRING or prefix is None or "f" not in prefix.group().lower():
        return text
    out, depth = [], 0
    for char in text:
        if char == "{":
            depth += 1
        out.append(" " if depth else char)
        if char == "}" and depth:
            depth -= 1
    return "".join(out)


def _position(start: tuple[int, int], text: str, index: int) -> tuple[int, int]:
    """The (line, character column) of ``text[index]`` for a token starting at ``start``."""
    before = text[:index]
    newlines = before.count("\n")
    if newlines == 0:
        return start[0], start[1] + index
    return start[0] + newlines, index - before.rfind("\n") - 1


def _enclosing(
    spans: list[tuple[int, int, bool, tuple[str, ...]]], line: int
) -> tuple[int, bool, tuple[str, ...]]:
    """The first line of the innermost statement holding ``line``, whether it is in a function
    body, and the names bound outside functions there."""
    best: tuple[int, int, bool, tuple[str, ...]] = (1, 10**9, False, ())
    for first, last, in_function, names in spans:
        if first <= line <= last and last - first <= best[1] - best[0]:
            best = (first, last, in_function, names)
    return best[0], best[2], best[3]


def bound_names(node: ast.stmt) -> tuple[str, ...]:
    """The names a statement binds: assigned names, or the function or class it defines."""
    if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
        return (node.name,)
    targets: list[ast.expr] = []
    if isinstance(node, ast.Assign):
        targets = list(node.targets)
    elif isinstance(node, ast.AnnAssign | ast.AugAssign):
        targets = [node.target]
    names: list[str] = []
    while targets:
        target = targets.pop(0)
        if isinstance(target, ast.Name):
            names.append(target.id)
        elif isinstance(target, ast.Tuple | ast.List):
            targets.extend(target.elts)
    return tuple(names)


def _swap_keyword(gap: str, old: str, new: str) -> str:
    """``gap`` with its first ``old`` keyword outside comments replaced by ``new``."""
    for match in re.finditer(rf"#[^\n]*|\b{old}\b", gap):
        if match.group() == old:
            return gap[: match.start()] + new + gap[match.end() :]
    return gap


def _is_string(node: ast.AST) -> bool:
    return isinstance(node, ast.Constant) and isinstance(node.value, str)


def _is_string_statement(node: ast.AST) -> bool:
    return isinstance(node, ast.Expr) and _is_string(node.value)


def _is_literal_type(node: ast.Subscript) -> bool:
    value = node.value
    name = value.id if isinstance(value, ast.Name) else getattr(value, "attr", "")
    return name == "Literal"


def _assigns_bookkeeping(node: ast.Assign | ast.AnnAssign) -> bool:
    """``__all__`` and ``__slots__``: Python's bookkeeping, not the law."""
    targets = node.targets if isinstance(node, ast.Assign) else [node.target]
    return any(isinstance(t, ast.Name) and t.id in ("__all__", "__slots__") for t in targets)


def _literal(node: ast.Tuple | ast.Set | ast.List, elements: list[str]) -> str:
    if isinstance(node, ast.List):
        return "[" + ", ".join(elements) + "]"
    if isinstance(node, ast.Set):
        return "{" + ", ".join(elements) + "}" if elements else "set()"
    if len(elements) == 1:
        return f"({elements[0]},)"
    return "(" + ", ".join(elements) + ")"


def _braced(entries: list[str]) -> str:
    return "{" + ", ".join(entries) + "}"
