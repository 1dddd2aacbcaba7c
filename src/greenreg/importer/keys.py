"""Key files for the first run: the registry's root key and the transcriber's key.

The same format as ``greenreg keys new``: ``NAME.key`` holds the base64 Ed25519 seed (mode 0600),
``NAME.pub`` the base64 public key. A key file that exists is read, never overwritten: each file
is written whole under a temporary name and then linked to its own name, which fails if the name
exists, so two processes starting at once cannot both write it and neither reads half a key
(:mod:`greenreg.key_files`).
"""

from __future__ import annotations

from pathlib import Path

from greenreg.errors import GreenregError
from greenreg.events.signing import Ed25519Signer, b64decode, b64encode
from greenreg.key_files import publish

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
    if not publish(private, b64encode(signer.seed) + "\n", mode=0o600, replace=False):
        signer = read_key(directory, name)
    public = directory / f"{name}.pub"
    if not public.exists():
        publish(public, b64encode(signer.public_key) + "\n", mode=0o644, replace=True)
    return signer
