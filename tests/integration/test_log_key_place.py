"""Where the log key lives is never silent: a PostgreSQL store without ``GREENREG_LOG_KEY`` keeps
it in a table, and every process that opens it says so in its log (the server's JSON log)."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest

from greenreg.bootstrap import open_greenreg
from greenreg.events.signing import Ed25519Signer
from greenreg.key_formats import private_key_text
from greenreg.storage.log_key import IN_DATABASE


def warnings_on_open(url: str, caplog: pytest.LogCaptureFixture) -> list[str]:
    caplog.clear()
    with caplog.at_level(logging.WARNING, logger="greenreg.log_key"):
        open_greenreg(url).close()
    return [r.getMessage() for r in caplog.records if r.name == "greenreg.log_key"]


def test_a_log_key_kept_in_the_database_is_said(
    database_url: str, caplog: pytest.LogCaptureFixture, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("GREENREG_LOG_KEY", raising=False)
    said = warnings_on_open(database_url, caplog)
    if database_url.startswith("postgresql"):
        assert said == [IN_DATABASE]
        assert "GREENREG_LOG_KEY" in said[0]
    else:
        assert said == []  # SQLite: a 0600 file beside the database


def test_a_log_key_given_as_a_file_is_not_warned_about(
    database_url: str,
    caplog: pytest.LogCaptureFixture,
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
) -> None:
    key = tmp_path / "log.key"
    key.write_text(private_key_text(Ed25519Signer.generate()))
    monkeypatch.setenv("GREENREG_LOG_KEY", str(key))
    assert warnings_on_open(database_url, caplog) == []
