"""Key files for the first run: the registry's root key and the transcriber's key.

The same format as ``greenreg keys new``: ``NAME.key`` holds the Ed25519 private key as PKCS#8
PEM (mode 0600), ``NAME.pub`` the base64 public key (:mod:`greenreg.key_formats`; an old
``NAME.key`` holding the base64 seed is still read). A key file that exists is read, never
overwritten: each file is written whole under a temporary name and then linked to its own name,
which fails if the name exists, so two processes starting at once cannot both write it and
neither reads half a key (:mod:`greenreg.key_files`).
"""

from __future__ import annotations

from pathlib import Path

from greenreg.events.signing import Ed25519Signer
from greenreg.key_files import publish
from greenreg.key_formats import private_key_text, public_key_text, read_private_key

DEFAULT_KEYS_DIR = Path("keys")
ROOT_KEY = "root"
TRANSCRIBER_KEY = "transcriber"


def read_key(directory: Path, name: str) -> Ed25519Signer:
    """The signer in ``directory/NAME.key``, or a clear error."""
    return read_private_key(directory / f"{name}.key")


def ensure_key(directory: Path, name: str) -> Ed25519Signer:
    """The key ``NAME`` in ``directory``: read if it exists, else made and written (0600)."""
    directory.mkdir(mode=0o700, parents=True, exist_ok=True)
    private = directory / f"{name}.key"
    signer = Ed25519Signer.generate()
    if not publish(private, private_key_text(signer), mode=0o600, replace=False):
        signer = read_key(directory, name)
    public = directory / f"{name}.pub"
    if not public.exists():
        publish(public, public_key_text(signer.public_key), mode=0o644, replace=True)
    return signer
