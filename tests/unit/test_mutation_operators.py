"""The mutation driver's operators: each makes the change it names, and every mutant compiles.

Pure rules, given a source / when mutated / then this text: no database involved.
"""

from __future__ import annotations

import ast
from pathlib import Path

from tools.mutation.__main__ import ROOT, TARGETS
from tools.mutation.mutants import Mutant, mutants_of
from tools.mutation.references import reading_lines

SOURCE = '''"""A module docstring with a <= b AND c."""
from typing import Literal

Outcome = Literal["certified", "banned"]
HOLDING = ("listed", "warned")
__all__ = ["rule"]


def rule(first_day: int, effective: int, status: str, ok: bool = True) -> int:
    """Its docstring: SELECT x WHERE a <= b."""
    if first_day <= effective and status == "listed":  # a comment with or and <
        return 3
    if not ok:
        raise ValueError("no")
    query = f"SELECT {status} FROM t WHERE b.first_day <= ? AND {first_day < 2} AND x > ?"
    return len(query) + (status in HOLDING)


GROUNDS = {"fraud": 3, "accident": 2}
'''


def changes(tmp_path: Path) -> set[tuple[str, str, str, bool]]:
    module = tmp_path / "rules.py"
    module.write_text(SOURCE, encoding="utf-8")
    found = mutants_of(module, tmp_path)
    for mutant in found:
        ast.parse(mutant.apply(module.read_bytes()))  # every mutant is valid Python
    return {(m.operator, m.original, m.mutated, m.in_function) for m in found}


def test_each_operator_makes_the_change_it_names(tmp_path: Path) -> None:
    found = changes(tmp_path)
    expected = {
        # comparison swaps, in the function body (so the tests covering it are chosen)
        ("compare", "<=", "<", True),
        ("compare", "==", "!=", True),
        # integer constants plus and minus one, in a body and in a module-level table
        ("number", "3", "4", True),
        ("number", "3", "2", True),
        ("number", "2", "1", False),
        # a boolean default flipped: defaults run at import, not in a test
        ("boolean", "True", "False", False),
        # and/or swapped; the comment's "or" is left alone
        (
            "and_or",
            'first_day <= effective and status == "listed"',
            'first_day <= effective or status == "listed"',
            True,
        ),
        # a raise removed
        ("raise", 'raise ValueError("no")', "pass", True),
        # an element left out of a status tuple, an entry out of a dict of codes
        ("remove_element", '("listed", "warned")', '("warned",)', False),
        ("remove_element", '{"fraud": 3, "accident": 2}', '{"accident": 2}', False),
        # a status string changed, in a tuple and in a comparison
        ("string", '"warned"', "'XXwarnedXX'", False),
        ("string", '"listed"', "'XXlistedXX'", True),
        # comparisons inside SQL, outside the f-string's replacement fields
        ("sql_compare", "<=", "<", True),
        ("sql_compare", ">", ">=", True),
    }
    assert expected <= found


def test_docstrings_annotations_and_bookkeeping_are_left_alone(tmp_path: Path) -> None:
    originals = {original for _, original, _, _ in changes(tmp_path)}
    # Literal["certified", "banned"] is a type, __all__ is bookkeeping: neither is the law.
    assert '"certified"' not in originals
    assert '"rule"' not in originals
    # The docstrings' "a <= b" are prose; the f-string's {first_day < 2} is Python, swapped by
    # the compare operator only once (not again as SQL).
    sql = [m for m in changes(tmp_path) if m[0] == "sql_compare"]
    assert len(sql) == 2


def test_every_mutant_of_the_law_compiles_and_replaces_its_original() -> None:
    targets = sorted({path for pattern in TARGETS for path in ROOT.glob(pattern)})
    assert any(path.name == "bank_check.py" for path in targets)
    found: list[Mutant] = []
    for path in targets:
        source = path.read_bytes()
        for mutant in mutants_of(path, ROOT):
            assert source[mutant.start : mutant.end].decode() == mutant.original
            ast.parse(mutant.apply(source), filename=mutant.id)
            found.append(mutant)
    assert len({m.id for m in found}) == len(found)  # ids are unique
    # The known-at boundaries of the bank check's SQL are among them.
    assert any(m.operator == "sql_compare" and m.path.endswith("bank_check.py") for m in found)


def test_a_table_is_run_by_the_functions_that_read_it_directly_or_through_another(
    tmp_path: Path,
) -> None:
    package = tmp_path / "src" / "greenreg"
    package.mkdir(parents=True)
    (package / "rules.py").write_text(
        'BAN = "3 years"\n'
        "class Book:\n"
        '    grounds = {"fraud": BAN}\n'
        "    def unrelated(self):\n"
        "        return 1\n",
        encoding="utf-8",
    )
    (package / "app.py").write_text(
        "from greenreg.rules import Book as B\n"
        "def remove(ground):\n"
        "    return B().grounds[ground]\n",
        encoding="utf-8",
    )
    # BAN is read by the class body that builds ``grounds``; ``grounds`` by app.remove.
    assert reading_lines(tmp_path, ["BAN"]) == {"src/greenreg/app.py": {3}}
    # A mutant of the table is a module-level one, bound to the name it assigns.
    grounds = next(m for m in mutants_of(package / "rules.py", tmp_path) if m.line == 3)
    assert not grounds.in_function
    assert grounds.names == ("grounds",)
