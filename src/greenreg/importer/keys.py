"""Key files for the first run: the registry's root key and the transcriber's key.

The same format as ``greenreg keys new``: ``NAME.key`` holds the base64 Ed25519 seed (mode 0600),
``NAME.pub`` the base64 public key. A key file that exists is read, never overwritten: each file
is written whole under a temporary name and then linked to its own name, which fails if the name
exists, so two processes starting at once cannot both write it and neither reads half a key.
"""

from __future__ import annotations

import os
import tempfile
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
    if not _publish(private, b64encode(signer.seed) + "\n", mode=0o600, replace=False):
        signer = read_key(directory, name)
    public = directory / f"{name}.pub"
    if not public.exists():
        _publish(public, b64encode(signer.public_key) + "\n", mode=0o644, replace=True)
    return signer


def _publish(path: Path, text: str, *, mode: int, replace: bool) -> bool:
    """Write ``text`` to a private temporary file beside ``path``, then give it its name at
    once, so that a reader never sees a half-written key. Without ``replace``, a file already
    at ``path`` wins: answer ``False`` and leave it as it is."""
    descriptor, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    try:
        with os.fdopen(descriptor, "w", encoding="ascii") as handle:  # mkstemp: mode 0600
            handle.write(text)
        os.chmod(temporary, mode)
        if replace:
            os.replace(temporary, path)
            return True
        try:
            os.link(temporary, path)  # fails if the name exists: never overwritten
        except FileExistsError:
            return False
        return True
    finally:
        Path(temporary).unlink(missing_ok=True)
