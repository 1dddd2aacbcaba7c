"""Key files for the first run: the registry's root key and the transcriber's key.

The same format as ``greenreg keys new``: ``NAME.key`` holds the base64 Ed25519 seed (mode 0600),
``NAME.pub`` the base64 public key. A key file that exists is read, never overwritten: the
private file is created with ``O_EXCL``, so two processes starting at once cannot both write it.
"""

from __future__ import annotations

import os
from pathlib import Path

from greenreg.errors import GreenregError
from greenreg.events.signing import Ed25519Signer, b64decode, b64encode

DEFAULT_KEYS_DIR = Path("keys")
ROOT_KEY = "root"
TRANSCRIBER_KEY = "transcriber"


def read_key(directory: Path, name: str) -> Ed25519Signer:
    """The signer in ``directory/NAME.key``, or a clear error."""
    path = directory / f"{name}.key"
    try:
        seed = b64decode(path.read_text(encoding="ascii").strip(), f"key file {path}")
        return Ed25519Signer.from_seed(seed)
    except (OSError, ValueError) as error:
        raise GreenregError(f"cannot read the private key {path}: {error}") from error


def ensure_key(directory: Path, name: str) -> Ed25519Signer:
    """The key ``NAME`` in ``directory``: read if it exists, else made and written (0600)."""
    directory.mkdir(mode=0o700, parents=True, exist_ok=True)
    private = directory / f"{name}.key"
    signer = Ed25519Signer.generate()
    try:
        descriptor = os.open(private, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        signer = read_key(directory, name)
    else:
        with os.fdopen(descriptor, "w", encoding="ascii") as handle:
            handle.write(b64encode(signer.seed) + "\n")
    public = directory / f"{name}.pub"
    if not public.exists():
        public.write_text(b64encode(signer.public_key) + "\n", encoding="ascii")
    return signer
