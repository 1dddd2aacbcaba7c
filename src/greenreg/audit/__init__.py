"""The auditor: ``greenreg verify`` replays the whole history with public keys only.

:mod:`~greenreg.audit.source` reads the log from a database or from an export
(:mod:`~greenreg.audit.export`); :mod:`~greenreg.audit.replay` re-decides every act in memory
against the rulebooks; :mod:`~greenreg.audit.partition` (the fast path) runs every check but the
Merkle tree on all cores, each worker process replaying its share of the units; where it finds
anything, :mod:`~greenreg.audit.pool` runs the stateless work of each entry
(:mod:`~greenreg.audit.prepare`: leaf hash, JSON, Ed25519 signature) on all cores ahead of one
replay in log order that names each problem;
:mod:`~greenreg.audit.verify` ties them together with the Merkle checks and returns a
:class:`~greenreg.audit.report.Report` naming every problem by log position and event;
:mod:`~greenreg.audit.read_models` compares a live database's read models with a rebuild.
"""
