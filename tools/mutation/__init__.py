"""Mutation testing of the law: do the tests notice when a rule is switched off?

A small AST driver (mutmut 3 mutates only function bodies, with its own fixed operators, and
cosmic-ray runs the whole test command per mutant; neither changes SQL inside strings). It
mutates the rulebooks, ``registry/periods.py``, ``registry/unit.py`` and the certification
answer (``projections/certifications.py`` and the set-based ``projections/bank_check.py``, their
SQL included), runs for each mutant only the
SQLite tests that cover the mutated line, and writes ``docs/mutation/report.json`` and
``docs/mutation/summary.md``.

Usage, from the repository root (``.venv/bin/pip install -e '.[test]'`` brings pytest-cov)::

    .venv/bin/python -m tools.mutation                      # 120 mutants, seed 19, 1 process
    .venv/bin/python -m tools.mutation --sample 200 --seed 7 --jobs 2
    .venv/bin/python -m tools.mutation --all                # every mutant
    .venv/bin/python -m tools.mutation --list               # the mutants, without running
    .venv/bin/python -m tools.mutation --only periods.py --only :compare: --all

Options: ``--timeout S`` seconds per mutant (default 60 + 3 × the selected tests' own time; a
mutant that runs past it is a ``timeout``, counted as killed: a hang); ``--tests`` the pytest
selection (default ``tests -k "not postgres"``, the SQLite half); ``--target GLOB`` (repeatable)
other files; ``--out DIR``; ``--recollect`` to redo the coverage map (it is cached in
``.mutation/`` and redone by itself when a file under ``src/`` or ``tests/`` changes;
``--reuse-coverage`` keeps it anyway, right only when the change runs no mutated file).

Modules: :mod:`~tools.mutation.mutants` (the operators), :mod:`~tools.mutation.coverage_map`
(which tests run which line), :mod:`~tools.mutation.runner` (one mutant in a copy of ``src/``),
:mod:`~tools.mutation.report` and :mod:`~tools.mutation.plugin` (a pytest plugin that records
each test's outcome). A line carrying ``pragma: no mutate`` is never mutated.
"""
