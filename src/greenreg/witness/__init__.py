"""Witnesses: independent cosigners of the log's checkpoints (C2SP tlog-witness, tlog-cosignature).

A witness keeps, per log it follows, the last checkpoint it cosigned, and cosigns a new one only
if a consistency proof shows the old tree is a prefix of the new: an operator who showed one
history to a bank and another to an inspector cannot get both cosigned by a witness that saw
either. The modules:

- :mod:`~greenreg.witness.cosignature`: cosignature/v1 bytes, verifier keys, checking a note's
  cosignatures against a policy (k of n witness keys);
- :mod:`~greenreg.witness.state` and :mod:`~greenreg.witness.service`: the witness itself (its
  SQLite store, the add-checkpoint checks) and :mod:`~greenreg.witness.app`, its HTTP face
  (``greenreg witness``);
- :mod:`~greenreg.witness.submitter`: the registry's side, a background loop that sends each new
  checkpoint to the configured witnesses and stores their cosignatures.
"""
