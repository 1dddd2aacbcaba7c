"""Where a signing key that serves online comes from: a file only its user may read, or a PEM
given in the environment; never the database it signs for.

The log key (checkpoints, receipts, green codes) and a witness's key (cosignatures) sign while a
server runs, so they live beside it. Each is read from one of:

- **a file**: PKCS#8 PEM (``-----BEGIN PRIVATE KEY-----``), as ``greenreg keys new`` writes it
  (mode 0600) or as a secrets manager mounts it (a Docker or Kubernetes secret, e.g.
  ``/run/secrets/greenreg_log_key``, mounted with mode 0400). A file any user of the machine may
  read or change is refused: the key it holds is no longer the operator's alone. One the file's
  group may read is used, with a warning in the log (a Kubernetes ``fsGroup`` mount is 0440);
- **an environment variable** holding the PEM text itself (``GREENREG_LOG_KEY_PEM``,
  ``GREENREG_WITNESS_KEY_PEM``), for secret stores that hand secrets over as variables. Only
  PKCS#8 PEM is read there: nothing that could be mistaken for a public key.

Giving both for one key is refused: which one signs must never be a guess.
"""

from __future__ import annotations

import logging
import os
import stat
from pathlib import Path

from greenreg.errors import KeyFileError, SignatureError
from greenreg.events.signing import Ed25519Signer
from greenreg.key_formats import PRIVATE_PEM, read_private_key

logger = logging.getLogger("greenreg.keys")
logger.addHandler(logging.NullHandler())  # said in the server's log, not over a command's output

OTHERS = stat.S_IRWXO
GROUP = stat.S_IRWXG


def check_private_file(path: Path, what: str) -> None:
    """Refuse a key file any user of the machine may read or change, saying how to mend it;
    warn (in the log) about one its group may."""
    if os.name != "posix":  # permission bits mean nothing there; ACLs are the operator's
        return
    try:
        mode = stat.S_IMODE(path.stat().st_mode)
    except FileNotFoundError:
        raise KeyFileError(f"there is no {what} file {path}") from None
    except OSError as error:
        raise KeyFileError(f"cannot read the {what} {path}: {error}") from None
    if mode & OTHERS:
        raise KeyFileError(
            f"the {what} file {path} may be read or changed by every user of this machine "
            f"(mode {mode:04o}), so it is refused: make it readable by the registry's user "
            f"alone (chmod 600 {path}; a secrets mount with mode 0400), or give the key as PEM "
            "text in the environment"
        )
    if mode & GROUP:
        logger.warning(
            "the %s file %s may be read by its group (mode %04o): chmod 600 it unless that "
            "group is the registry's alone",
            what,
            path,
            mode,
        )


def read_key_file(path: Path, what: str) -> Ed25519Signer:
    """The private key in ``path`` once its permissions are checked (see the module)."""
    check_private_file(path, what)
    return read_private_key(path)


def key_from_pem(text: str, variable: str, what: str) -> Ed25519Signer:
    """The private key given as PKCS#8 PEM text in the environment variable ``variable``."""
    if PRIVATE_PEM not in text:
        raise KeyFileError(
            f"{variable} does not hold a private key: give the {what} as PKCS#8 PEM text, "
            f"'{PRIVATE_PEM}' and the lines after it, as greenreg keys new writes the file"
        )
    try:
        return Ed25519Signer.from_pem(text.strip())
    except (ValueError, SignatureError) as error:
        raise KeyFileError(
            f"{variable} is not an Ed25519 private key in PKCS#8 PEM: {error}"
        ) from None


def key_from_environment(file_variable: str, pem_variable: str, what: str) -> Ed25519Signer | None:
    """The key ``file_variable`` (a file's path) or ``pem_variable`` (its PEM text) gives, or
    ``None`` when neither is set; refused when both are."""
    path, pem = os.environ.get(file_variable), os.environ.get(pem_variable)
    if path and pem:
        raise KeyFileError(
            f"the {what} is given twice, as a file ({file_variable}) and as PEM text "
            f"({pem_variable}): give one"
        )
    if pem:
        return key_from_pem(pem, pem_variable, what)
    if path:
        return read_key_file(Path(path), what)
    return None
