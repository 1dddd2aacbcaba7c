"""Writing a key file whole, once: a reader never sees half a key, and a crash never leaves one.

The text goes to a private temporary file beside the key's name, is flushed to disk, then gets
its name at once (a hard link, which fails if the name exists, or a rename), and the folder is
flushed too. So after a crash the name holds the whole key or does not exist, and a key file
exists on disk before anything that refers to its key (a founding act, a checkpoint) is written.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path


def publish(path: Path, text: str, *, mode: int, replace: bool) -> bool:
    """Write ``text`` to ``path`` as described above. Without ``replace``, a file already at
    ``path`` wins: answer ``False`` and leave it as it is."""
    descriptor, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    try:
        with os.fdopen(descriptor, "w", encoding="ascii") as handle:  # mkstemp: mode 0600
            handle.write(text)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(temporary, mode)
        if replace:
            os.replace(temporary, path)
        else:
            try:
                os.link(temporary, path)  # fails if the name exists: never overwritten
            except FileExistsError:
                return False
        _sync_folder(path.parent)
        return True
    finally:
        Path(temporary).unlink(missing_ok=True)


def _sync_folder(folder: Path) -> None:
    descriptor = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(descriptor)
    finally:
        os.close(descriptor)
