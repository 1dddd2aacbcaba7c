"""A first run killed at any step is finished by the next ``greenreg serve``, never served half.

The crashes are real: ``greenreg serve`` runs as a child process on a fresh store and kills
itself with SIGKILL (no clean-up, no rollback hook) when it reaches the step named in
``GREENREG_FIRST_RUN_STOP_AT``: after writing the root key, after writing the transcriber key,
after founding, after declaring the log key, after whole announcements, or half-way through one.

Before, a restart after a kill between founding and the declaration served an empty registry
whose log no inspector could trust (``greenreg verify`` failed until someone declared the key by
hand), and a restart after a kill between announcements served 409 of the 2,783 factories.
"""

from __future__ import annotations

import signal
from pathlib import Path

from tests.integration.serving import killed_at, listed_counts, serving, verify

SHIPPED = {"green_park": 224, "green_factory": 2783, "green_supply_chain": 296}
"""The national lists of 2017-2021 as the announcements counted them (units per programme)."""


def finished_and_verified(url: str, keys: Path, cwd: Path) -> None:
    """A restart serves the complete shipped lists, and the store passes the audit."""
    with serving(url, keys, cwd) as (base, _):
        assert listed_counts(base) == SHIPPED
    audit = verify(url, cwd)
    assert audit.returncode == 0, audit.stdout + audit.stderr
    assert "verified" in audit.stdout


def test_a_first_run_killed_at_each_step_is_finished_by_the_next_start(
    database_url: str, tmp_path: Path
) -> None:
    keys = tmp_path / "keys"
    # Each start dies at a later step; each must first finish what the one before left undone
    # (the step a start dies at is reached only once every step before it is done).
    for step in (
        "root-key",  # the root key file exists, the transcriber's does not
        "transcriber-key",  # both key files exist, the store is empty
        "founded",  # founded, the log key not declared: the bug that served 0 lists
        "log-key-declared",  # declared, no rule adopted
        "rules-adopted",  # the rulebooks adopted, no announcement
        "announcement-1-half",  # half-way through checking the first: nothing of it saved
        "announcement-2",  # two announcements recorded (409 factories), four to go
    ):
        crashed = killed_at(step, database_url, keys, tmp_path)
        assert crashed.returncode == -signal.SIGKILL, (step, crashed.stdout, crashed.stderr)

    # The next plain start finishes the first run before it serves: the second crash of the
    # report (after two announcements), directly followed by a plain start.
    finished_and_verified(database_url, keys, tmp_path)


def test_a_restart_after_a_single_crash_serves_the_complete_lists(tmp_path: Path) -> None:
    # The first crash of the report (founded, the log key not declared), directly followed by
    # a plain start. (The second, after two announcements, ends the test above.)
    url = f"sqlite:///{tmp_path / 'greenreg.db'}"
    keys = tmp_path / "keys"
    crashed = killed_at("founded", url, keys, tmp_path)
    assert crashed.returncode == -signal.SIGKILL, crashed.stderr
    finished_and_verified(url, keys, tmp_path)
