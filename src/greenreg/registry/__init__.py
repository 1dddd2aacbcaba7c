"""The write side: a signed act is authenticated, decided by its command, and saved.

Read it in this order:

- :mod:`~greenreg.registry.application`: the :class:`Registry` authenticates an act (signer,
  key, signature, clock), dispatches it to its command, and saves the decision;
- :mod:`~greenreg.registry.commands`: one function per act type, in modules by area;
- :mod:`~greenreg.registry.unit` and :mod:`~greenreg.registry.authority`: the aggregates,
  which fold their events and guard their own history and competence (``check_*``);
- :mod:`~greenreg.registry.rulebooks`: the law as code, one rulebook per policy text, and
  (:mod:`~greenreg.registry.rulebooks.law`) which of them governs which lists from when, as
  the root's signed adoptions say;
- :mod:`~greenreg.registry.workspace` and :mod:`~greenreg.registry.decision`: where a command
  finds its aggregates, and what it hands back.
"""
