"""Key custody: the log key and a witness's key are never kept in the database they sign for.
Each comes from a file only its user may read (made 0600 on first use; a secrets mount), or as
PKCS#8 PEM text in the environment; a file every user may read is refused, in words, before
anything is written. Where the key lives is said in the log whenever it is a default. And the
log key can be rotated (the root declares the new one) without breaking a receipt issued
before. On SQLite and PostgreSQL."""

from __future__ import annotations

import base64
import json
import logging
import os
import re
import sqlite3
from pathlib import Path
from urllib.parse import urlsplit

import psycopg
import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from greenreg.api import create_app
from greenreg.bootstrap import open_greenreg, open_registry, persistence_env
from greenreg.cli import app
from greenreg.errors import GreenregError
from greenreg.events.signing import Ed25519Signer, b64encode
from greenreg.key_formats import private_key_text, public_key_text
from greenreg.storage.log_key import declare, on_this_machine, postgres_key_path
from greenreg.storage.log_tables import LogTables
from greenreg.witness.cosignature import parse_witness_vkey
from tests.support import World

runner = CliRunner()
SCAN_URL = re.compile(r'class="scan-url" href="([^"]+)"')
SIGNED = re.compile(r'data-signed="([^"]+)"')


def log_of(registry: object) -> LogTables:
    assert isinstance(registry, LogTables)
    return registry


def said_on_open(url: str, caplog: pytest.LogCaptureFixture) -> tuple[bytes, list[str]]:
    """Open the store: the log public key it signs with, and what it said about keys."""
    caplog.clear()
    with caplog.at_level(logging.WARNING):
        registry = open_registry(url)
        try:
            signer = log_of(registry.recorder).log_signer
            assert signer is not None
            public_key = signer.public_key
        finally:
            registry.close()
    said = [r.getMessage() for r in caplog.records if r.name.startswith("greenreg.")]
    return public_key, [line for line in said if "key" in line]


def key_file(path: Path, signer: Ed25519Signer, mode: int = 0o600) -> Path:
    path.write_text(private_key_text(signer))
    path.chmod(mode)
    return path


def stored_text(url: str) -> str:
    """Every row of every table of the store, as text (bytes as hex): what the database holds,
    in an order of its own (neither database promises the order rows come back in)."""
    env = persistence_env(url)
    if "SQLITE_DBNAME" in env:
        with sqlite3.connect(env["SQLITE_DBNAME"]) as c:
            tables = [r[0] for r in c.execute("SELECT name FROM sqlite_master WHERE type='table'")]
            rows = [row for t in tables for row in c.execute(f'SELECT * FROM "{t}"')]  # noqa: S608
        return "\n".join(
            sorted(
                " ".join(v.hex() if isinstance(v, bytes) else str(v) for v in row) for row in rows
            )
        )
    schema = env["POSTGRES_SCHEMA"]
    with psycopg.connect(url.split("?", maxsplit=1)[0]) as c:
        tables = c.execute(
            "SELECT table_name FROM information_schema.tables WHERE table_schema = %s", (schema,)
        ).fetchall()
        return "\n".join(
            sorted(
                f"{table} {row[0]}"
                for (table,) in tables
                for row in c.execute(f'SELECT t::text FROM "{schema}"."{table}" t').fetchall()  # noqa: S608
            )
        )


def test_by_default_the_log_key_is_a_0600_file_and_never_in_the_database(
    database_url: str, caplog: pytest.LogCaptureFixture, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("GREENREG_LOG_KEY", raising=False)
    monkeypatch.delenv("GREENREG_LOG_KEY_PEM", raising=False)
    env = persistence_env(database_url)
    world = World(database_url)
    try:
        declare(world.registry, world.root.signer, world.clock.now)
        world.register("js-eit", "苏州高新技术产业开发区", "320505")
        signer = log_of(world.registry.recorder).log_signer
        assert signer is not None
    finally:
        world.close()
    if "SQLITE_DBNAME" in env:
        path = Path(f"{env['SQLITE_DBNAME']}.log-key")
    else:
        path = postgres_key_path(env)
        assert path.is_relative_to(os.environ["XDG_DATA_HOME"])
    assert path.stat().st_mode & 0o777 == 0o600
    assert path.read_text().startswith("-----BEGIN PRIVATE KEY-----")

    # The same key each time the store is opened; on PostgreSQL where it is, said each time.
    public_key, said = said_on_open(database_url, caplog)
    assert public_key == signer.public_key
    assert said == ([] if "SQLITE_DBNAME" in env else [on_this_machine(path)])

    # Nothing of the private key is in any table: not its seed (base64 or hex), not its PEM.
    held = stored_text(database_url)
    assert b64encode(signer.public_key) in held  # the search does see the database
    for secret in (b64encode(signer.seed), signer.seed.hex(), "PRIVATE KEY"):
        assert secret not in held


def test_the_log_key_from_a_file_a_secrets_mount_or_pem_in_the_environment(
    database_url: str,
    caplog: pytest.LogCaptureFixture,
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
) -> None:
    World(database_url).close()
    monkeypatch.delenv("GREENREG_LOG_KEY_PEM", raising=False)

    # A file only its user may read: used, nothing said.
    first = Ed25519Signer.generate()
    monkeypatch.setenv("GREENREG_LOG_KEY", str(key_file(tmp_path / "log.key", first)))
    assert said_on_open(database_url, caplog) == (first.public_key, [])

    # A secrets mount: read-only, behind the links Kubernetes makes (..data/NAME).
    mount = tmp_path / "secrets"
    (mount / "..2026_12_06").mkdir(parents=True)
    mounted = Ed25519Signer.generate()
    key_file(mount / "..2026_12_06" / "greenreg_log_key", mounted, 0o400)
    (mount / "..data").symlink_to("..2026_12_06")
    (mount / "greenreg_log_key").symlink_to("..data/greenreg_log_key")
    monkeypatch.setenv("GREENREG_LOG_KEY", str(mount / "greenreg_log_key"))
    assert said_on_open(database_url, caplog) == (mounted.public_key, [])

    # Readable by its group: used, and said.
    shared = key_file(tmp_path / "group.key", Ed25519Signer.generate(), 0o640)
    monkeypatch.setenv("GREENREG_LOG_KEY", str(shared))
    _, said = said_on_open(database_url, caplog)
    assert said == [
        f"the log key file {shared} may be read by its group (mode 0640): chmod 600 it unless "
        "that group is the registry's alone"
    ]

    # PEM text in the environment: used, and no file is made for it.
    monkeypatch.delenv("GREENREG_LOG_KEY")
    given = Ed25519Signer.generate()
    monkeypatch.setenv("GREENREG_LOG_KEY_PEM", private_key_text(given))
    before = sorted(p.name for p in tmp_path.parent.rglob("*.log-key"))
    assert said_on_open(database_url, caplog) == (given.public_key, [])
    assert sorted(p.name for p in tmp_path.parent.rglob("*.log-key")) == before


def test_a_log_key_others_may_read_or_given_twice_is_refused_before_anything_is_written(
    database_url: str, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    World(database_url).close()
    monkeypatch.delenv("GREENREG_LOG_KEY_PEM", raising=False)
    before = stored_text(database_url)

    def refusal() -> str:
        with pytest.raises(GreenregError) as refused:
            open_greenreg(database_url)
        assert stored_text(database_url) == before
        return str(refused.value)

    # A file every user of the machine may read (as a plain write leaves it, mode 0644).
    readable = key_file(tmp_path / "log.key", Ed25519Signer.generate(), 0o644)
    monkeypatch.setenv("GREENREG_LOG_KEY", str(readable))
    assert refusal() == (
        f"cannot read the log key: the log key file {readable} may be read or changed by every "
        "user of this machine (mode 0644), so it is refused: make it readable by the "
        f"registry's user alone (chmod 600 {readable}; a secrets mount with mode 0400), or "
        "give the key as PEM text in the environment"
    )
    # ... and the command line says the same, in one line, with nothing written.
    result = runner.invoke(app, ["log", "checkpoint", "--database", database_url])
    assert result.exit_code != 0
    assert "may be read or changed by every user of this machine (mode 0644)" in result.output
    assert stored_text(database_url) == before

    # Given twice: as a file and as PEM text.
    readable.chmod(0o600)
    monkeypatch.setenv("GREENREG_LOG_KEY_PEM", private_key_text(Ed25519Signer.generate()))
    assert "the log key is given twice, as a file (GREENREG_LOG_KEY) and as PEM text" in refusal()

    # PEM text that holds no private key: a public key, or the old base64 seed.
    monkeypatch.delenv("GREENREG_LOG_KEY")
    signer = Ed25519Signer.generate()
    for wrong in (public_key_text(signer.public_key), b64encode(signer.seed)):
        monkeypatch.setenv("GREENREG_LOG_KEY_PEM", wrong)
        assert (
            "GREENREG_LOG_KEY_PEM does not hold a private key: give the log key as PKCS#8 PEM"
            in (refusal())
        )
    # A file that is not there.
    monkeypatch.delenv("GREENREG_LOG_KEY_PEM")
    monkeypatch.setenv("GREENREG_LOG_KEY", str(tmp_path / "absent.key"))
    assert f"there is no log key file {tmp_path / 'absent.key'}" in refusal()


def test_a_log_key_an_earlier_release_kept_in_the_database_is_moved_out(
    database_url: str,
    caplog: pytest.LogCaptureFixture,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """PostgreSQL only: SQLite always kept it in a file beside the database."""
    if database_url.startswith("sqlite"):
        pytest.skip("SQLite never kept the log key in the database")
    monkeypatch.delenv("GREENREG_LOG_KEY", raising=False)
    monkeypatch.delenv("GREENREG_LOG_KEY_PEM", raising=False)
    World(database_url).close()
    env = persistence_env(database_url)
    path = postgres_key_path(env)
    path.unlink()  # a store as the earlier release left it: the key in its table only
    kept = Ed25519Signer.generate()
    table = f'"{env["POSTGRES_SCHEMA"]}".greenreg_log_secret'
    with psycopg.connect(database_url.split("?", maxsplit=1)[0], autocommit=True) as c:
        c.execute(f"CREATE TABLE {table} (id integer PRIMARY KEY, seed text)")
        c.execute(f"INSERT INTO {table} VALUES (1, %s)", (b64encode(kept.seed),))  # noqa: S608

    public_key, said = said_on_open(database_url, caplog)
    assert public_key == kept.public_key  # the same key signs on
    assert said[0] == (
        f"the log key was kept in the database table greenreg_log_secret: it is now the file "
        f"{path} and the table is dropped; the database's backups still hold it, so rotate the "
        "log key (README, 'Private keys')"
    )
    assert path.stat().st_mode & 0o777 == 0o600
    assert b64encode(kept.seed) not in stored_text(database_url)
    with psycopg.connect(database_url.split("?", maxsplit=1)[0]) as c:
        assert c.execute("SELECT to_regclass(%s)", (table,)).fetchone() == (None,)


def test_a_witness_key_from_a_file_or_pem_and_a_readable_file_refused(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.delenv("GREENREG_WITNESS_KEY", raising=False)
    monkeypatch.delenv("GREENREG_WITNESS_KEY_PEM", raising=False)
    base = ["witness", "--name", "witness.test/w9", "--vkey"]

    def vkey(*args: str) -> tuple[int, str]:
        result = runner.invoke(app, [*base, *args])
        return result.exit_code, result.output

    # Made on first use, 0600 (the witness's store, witness.db, has no place for it).
    made = tmp_path / "witness.key"
    status, output = vkey("--key", str(made))
    assert status == 0, output
    assert made.stat().st_mode & 0o777 == 0o600

    # A file every user may read is refused, saying why.
    signer = Ed25519Signer.generate()
    readable = key_file(tmp_path / "readable.key", signer, 0o604)
    status, output = vkey("--key", str(readable))
    assert status != 0
    assert "may be read or changed by every user of this machine (mode 0604)" in output
    readable.chmod(0o400)
    status, output = vkey("--key", str(readable))
    assert status == 0, output
    assert parse_witness_vkey(output).public_key == signer.public_key

    # PEM text in the environment, and not both.
    given = Ed25519Signer.generate()
    monkeypatch.setenv("GREENREG_WITNESS_KEY_PEM", private_key_text(given))
    status, output = vkey()
    assert status == 0, output
    assert parse_witness_vkey(output).public_key == given.public_key
    status, output = vkey("--key", str(readable))
    assert status != 0
    assert "the witness key is given twice" in output
    monkeypatch.delenv("GREENREG_WITNESS_KEY_PEM")
    status, output = vkey()
    assert status != 0
    assert "give the witness's key: --key FILE (GREENREG_WITNESS_KEY)" in output


def test_rotating_the_log_key_keeps_earlier_receipts_valid(
    database_url: str, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.delenv("GREENREG_LOG_KEY_PEM", raising=False)
    old_key = key_file(tmp_path / "log-1.key", Ed25519Signer.generate())
    monkeypatch.setenv("GREENREG_LOG_KEY", str(old_key))
    world = World(database_url)
    root_key = key_file(tmp_path / "root.key", world.root.signer)
    root_pub = tmp_path / "root.pub"
    root_pub.write_text(public_key_text(world.root.signer.public_key))
    try:
        declare(world.registry, world.root.signer, world.clock.now)
        park = str(world.register("js-eit", "苏州高新技术产业开发区", "320505"))
        world.submit(
            "js-eit", "designate", unit=park, effective_date="2020-01-01",
            programme="green_park", jurisdiction="320000", batch="第一批", grade=None,
        )  # fmt: skip
    finally:
        world.close()

    scans: list[str] = []

    def receipt_file(name: str) -> Path:
        facade = open_greenreg(database_url)  # a server process, with the key configured now
        try:
            facade.projector.catch_up()
            with TestClient(create_app(facade, quotas=False)) as client:
                answer = client.get(f"/api/v1/units/{park}", params={"receipt": "true"})
                assert answer.status_code == 200, answer.text
                code = client.get(f"/units/{park}/green-code.json")
                assert code.status_code == 200, code.text
                found = SCAN_URL.search(client.get(f"/units/{park}").text)
                assert found is not None
                scans.append(urlsplit(found[1]).path)
        finally:
            facade.close()
        path = tmp_path / f"{name}.json"
        path.write_text(json.dumps(answer.json()["receipt"], ensure_ascii=False), "utf-8")
        (tmp_path / f"{name}-code.json").write_text(code.text, "utf-8")
        return path

    def verified(path: Path) -> str:
        result = runner.invoke(
            app, ["receipt", "verify", str(path), "--root-public-key", str(root_pub)]
        )
        assert result.exit_code == 0, result.output
        return result.output

    before = receipt_file("before")
    assert "valid from the root key: unit receipt" in verified(before)

    # The operator rotates: a new key file, declared by the root with the new key in place.
    new_key = key_file(tmp_path / "log-2.key", Ed25519Signer.generate())
    monkeypatch.setenv("GREENREG_LOG_KEY", str(new_key))
    declared = runner.invoke(
        app, ["log", "declare-key", "--root-key", str(root_key), "--database", database_url]
    )
    assert declared.exit_code == 0, declared.output
    after = receipt_file("after")
    old_id = json.loads(before.read_text("utf-8"))["key_id"]
    new_id = json.loads(after.read_text("utf-8"))["key_id"]
    assert old_id != new_id

    # Both receipts, and both green codes, verify from the root key alone.
    for path in (before, after, tmp_path / "before-code.json", tmp_path / "after-code.json"):
        assert "valid from the root key" in verified(path)
    # The QR code printed before the rotation names a checkpoint of the former key: the
    # registry, which no longer holds that key, makes its statement again and checks the URL's
    # signature against the former key the root declared; one changed character is not valid.
    old_scan, new_scan = scans
    assert old_scan != new_scan
    facade = open_greenreg(database_url)
    try:
        with TestClient(create_app(facade, quotas=False)) as client:
            page = client.get(old_scan)
            assert page.status_code == 200, page.text
            assert "verdict verdict-valid" in page.text
            signed = json.loads(base64.b64decode(SIGNED.search(page.text)[1]))  # type: ignore[index]
            assert signed["log_key_id"] == old_id
            assert (
                signed
                == json.loads(json.loads((tmp_path / "before-code.json").read_text())["document"])[
                    "act"
                ]
            )
            head, _, signature = old_scan.rpartition(".")
            changed = head + "." + ("B" if signature[0] == "A" else "A") + signature[1:]
            assert "verdict verdict-invalid" in client.get(changed).text
            keys = client.get("/api/v1/log/keys").json()
            assert keys["log_key"]["key_id"] == new_id
            assert len(keys["log_key_declarations"]) == 2
    finally:
        facade.close()

    # The whole log, checkpoints under either key, passes the audit from the root key.
    audit = runner.invoke(
        app, ["verify", "--database", database_url, "--root-public-key", str(root_pub)]
    )
    assert audit.exit_code == 0, audit.output
