"""A PostgreSQL cluster of a test's own (never the shared server), to kill and restart.

initdb on a free port in a fresh folder, run as the ``postgres`` OS user (the server refuses
to run as root); :meth:`Cluster.kill` sends SIGKILL to the postmaster, as a crash would.
"""

from __future__ import annotations

import glob
import os
import shutil
import signal
import subprocess
import tempfile
import time
from pathlib import Path

from tests.e2e.server import free_port


def _binary(name: str) -> str:
    found = sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{name}"))
    if not found:
        raise RuntimeError(f"no PostgreSQL {name} under /usr/lib/postgresql/*/bin")
    return found[-1]


class Cluster:
    """A new cluster; with ``primary``, a streaming hot standby of it (pg_basebackup -R: it
    follows the primary from its start)."""

    def __init__(self, primary: Cluster | None = None) -> None:
        self.folder = Path(tempfile.mkdtemp(prefix="greenreg-pg-"))
        self.data = self.folder / "data"
        self.port = free_port()
        shutil.chown(self.folder, "postgres", "postgres")
        if primary is None:
            self._as_postgres(_binary("initdb"), "-D", str(self.data), "-U", "postgres",
                              "--auth=trust", "--no-sync")  # fmt: skip
        else:
            self._as_postgres(_binary("pg_basebackup"), "-h", "127.0.0.1", "-p",
                              str(primary.port), "-U", "postgres", "-D", str(self.data),
                              "-R", "-X", "stream", "--no-sync")  # fmt: skip
        self.url = f"postgresql://postgres@127.0.0.1:{self.port}/postgres"

    def _as_postgres(self, *command: str) -> None:
        subprocess.run(["runuser", "-u", "postgres", "--", *command],
                       check=True, capture_output=True, timeout=120)  # fmt: skip

    def start(self) -> None:
        options = f"-p {self.port} -k {self.folder} -c listen_addresses=127.0.0.1"
        deadline = time.monotonic() + 60
        while True:  # after a kill, the old server's backends take a moment to go
            try:
                self._as_postgres(_binary("pg_ctl"), "-D", str(self.data), "-o", options,
                                  "-l", str(self.folder / "server.log"), "-w", "start")  # fmt: skip
            except subprocess.CalledProcessError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.5)
            else:
                return

    def postmaster(self) -> int:
        return int((self.data / "postmaster.pid").read_text().split()[0])

    def kill(self) -> None:
        """SIGKILL the postmaster: no shutdown checkpoint, uncommitted work is lost."""
        os.kill(self.postmaster(), signal.SIGKILL)

    def stop(self) -> None:
        if (self.data / "postmaster.pid").exists():
            subprocess.run(
                ["runuser", "-u", "postgres", "--", _binary("pg_ctl"), "-D", str(self.data),
                 "-m", "immediate", "stop"],
                check=False, capture_output=True, timeout=60,
            )  # fmt: skip
        shutil.rmtree(self.folder, ignore_errors=True)
