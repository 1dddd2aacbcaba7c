"""What a key file holds, and how it is read.

greenreg writes a private key as PKCS#8 PEM (``-----BEGIN PRIVATE KEY-----``, mode 0600), which
OpenSSL and every crypto library read, and a public key as one line of base64 of its 32 raw
bytes: the form the events, the log and the API publish it in. Reading accepts more: a private
key file written by earlier versions (one line of base64 of the 32-byte seed) and a public key
as PEM (``-----BEGIN PUBLIC KEY-----``, as ``openssl pkey -pubout`` writes it).

Old raw files look alike: 32 bytes of base64 are a seed or a public key. So a raw file is
refused as a private key when its name ends in ``.pub`` or it holds the same text as the
``NAME.pub`` beside it, and a file is refused as a public key when it holds a private key or
its name ends in ``.key``. Signing with a public key, or publishing a private one, fails with a
sentence saying which file to give instead.
"""

from __future__ import annotations

from pathlib import Path

from greenreg.errors import KeyFileError, SignatureError
from greenreg.events.signing import (
    Ed25519Signer,
    b64decode,
    b64encode,
    public_key_from_pem,
)

PRIVATE_PEM = "-----BEGIN PRIVATE KEY-----"
PUBLIC_PEM = "-----BEGIN PUBLIC KEY-----"


def private_key_text(signer: Ed25519Signer) -> str:
    """The text of a private key file: PKCS#8 PEM."""
    return signer.pem()


def public_key_text(public_key: bytes) -> str:
    """The text of a public key file: its base64, one line."""
    return b64encode(public_key) + "\n"


def _text(path: Path, what: str) -> str:
    try:
        return path.read_text(encoding="ascii").strip()
    except FileNotFoundError:
        raise KeyFileError(f"there is no {what} file {path}") from None
    except (OSError, UnicodeDecodeError) as error:
        raise KeyFileError(f"cannot read the {what} {path}: {error}") from None


def read_private_key(path: Path) -> Ed25519Signer:
    """The signer in a private key file (PKCS#8 PEM, or the old base64 seed), or a clear error."""
    text = _text(path, "private key")
    if PUBLIC_PEM in text or path.suffix == ".pub" or _same_as_public_beside(path, text):
        raise KeyFileError(
            f"{path} holds a public key, which cannot sign: give the private key "
            f"({path.with_suffix('.key').name}, made beside it by greenreg keys new)"
        )
    try:
        if text.startswith("-----BEGIN"):
            return Ed25519Signer.from_pem(text)
        return Ed25519Signer.from_seed(b64decode(text, f"key file {path}"))
    except (ValueError, SignatureError) as error:
        raise KeyFileError(
            f"{path} is not an Ed25519 private key (PKCS#8 PEM, as greenreg keys new writes "
            f"it): {error}"
        ) from None


def _same_as_public_beside(path: Path, text: str) -> bool:
    beside = path.with_suffix(".pub")
    try:
        return beside != path and beside.read_text(encoding="ascii").strip() == text
    except (OSError, UnicodeDecodeError):
        return False


def read_public_key(path: Path) -> bytes:
    """The raw 32-byte key in a public key file (base64, or PEM), or a clear error."""
    text = _text(path, "public key")
    if "PRIVATE KEY-----" in text or path.suffix == ".key":
        raise KeyFileError(
            f"{path} holds a private key, which must stay secret: give the public key "
            f"({path.with_suffix('.pub').name}, made beside it by greenreg keys new)"
        )
    try:
        if text.startswith("-----BEGIN"):
            return public_key_from_pem(text)
        return b64decode(text, f"public key file {path}")
    except (ValueError, SignatureError) as error:
        raise KeyFileError(f"{path} is not an Ed25519 public key: {error}") from None
