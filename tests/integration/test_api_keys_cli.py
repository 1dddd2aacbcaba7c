"""``greenreg keys api new / list / revoke`` on SQLite and PostgreSQL: the key is printed once,
only its SHA-256 is stored, a revoked key authenticates nothing."""

from __future__ import annotations

import hashlib

from typer.testing import CliRunner

from greenreg.bootstrap import open_read_store
from greenreg.cli.common import app
from greenreg.subscribers.api_keys import ApiKeys


def test_the_operator_issues_lists_and_revokes_api_keys(database_url: str) -> None:
    runner = CliRunner()
    issued = runner.invoke(app, ["keys", "api", "new", "示例银行", "--database", database_url])
    assert issued.exit_code == 0, issued.output
    key = issued.output.strip().splitlines()[-1]
    assert key.startswith("grk_")
    key_id = key.split("_")[1]

    store = open_read_store(database_url)
    try:
        keys = ApiKeys(store)
        holder = keys.holder(key)
        assert holder is not None
        assert holder.name == "示例银行"
        [(stored,)] = store.query("SELECT key_hash FROM greenreg_api_keys")
        assert stored == hashlib.sha256(key.encode()).hexdigest()

        listed = runner.invoke(app, ["keys", "api", "list", "--database", database_url])
        assert key_id in listed.output
        assert "active" in listed.output
        assert key not in listed.output, "the key is shown once, when issued"

        revoked = runner.invoke(app, ["keys", "api", "revoke", key_id, "--database", database_url])
        assert revoked.exit_code == 0, revoked.output
        assert keys.holder(key) is None
        assert (
            "revoked"
            in runner.invoke(app, ["keys", "api", "list", "--database", database_url]).output
        )

        unknown = runner.invoke(
            app, ["keys", "api", "revoke", "feedface", "--database", database_url]
        )
        assert unknown.exit_code == 3  # refused
        assert "no API key" in unknown.output
    finally:
        store.close()
