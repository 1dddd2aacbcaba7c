"""The CLI refuses kindly: one line saying what is wrong and what to do, within seconds, with an
exit status that tells usage (2), refusal (3) and failure (4) apart; keys as PKCS#8 PEM; and
every event numbered by its log position.

Where the exit status or the time matters as a shell sees it, the command runs as a process;
elsewhere through typer's runner.
"""

from __future__ import annotations

import base64
import json
import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from typer.testing import CliRunner

from greenreg import __version__
from greenreg.cli import app
from greenreg.events.canonical import canonical_bytes
from greenreg.events.signing import b64decode, b64encode, verify_signature
from tests.conftest import POSTGRES_URL
from tests.support import World

runner = CliRunner(env={"COLUMNS": "300"})

USAGE, REFUSED, FAILURE = 2, 3, 4
DESIGNATE = {
    "type": "designate",
    "authority": "miit",
    "effective_date": "2019-09-02",
    "document": {"number": "工信厅节函〔2019〕196号"},
    "unit": "91110000600037341L",
    "programme": "green_factory",
    "jurisdiction": "CN",
    "batch": "第四批",
}


def greenreg(*args: str, cwd: Path) -> tuple[subprocess.CompletedProcess[str], float]:
    """The installed command, as a shell runs it, and how long it took."""
    env = {k: v for k, v in os.environ.items() if k != "GREENREG_DATABASE_URL"}
    started = time.monotonic()
    done = subprocess.run(
        [sys.executable, "-m", "greenreg", *args],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    return done, time.monotonic() - started


def promptly(seconds: float, cwd: Path) -> None:
    """Refused without waiting: within 5 s of what the command takes to start at all (its
    ``--version``, timed now: imports take seconds on a loaded machine), where a store that is
    tried again and again made it wait 30 s."""
    _, start = greenreg("--version", cwd=cwd)
    assert seconds < start + 5, (seconds, start)


def one_line(text: str) -> str:
    lines = text.strip().splitlines()
    assert len(lines) == 1, text
    return lines[0]


def keys(tmp_path: Path, name: str = "miit") -> tuple[Path, Path]:
    result = runner.invoke(app, ["keys", "new", name, "--dir", str(tmp_path / "keys")])
    assert result.exit_code == 0, result.output
    return tmp_path / "keys" / f"{name}.key", tmp_path / "keys" / f"{name}.pub"


# --- the database and the port --------------------------------------------------------------


def test_a_postgres_url_nobody_answers_fails_in_one_line_within_seconds(tmp_path: Path) -> None:
    with socket.socket() as closed:  # a port nothing listens on
        closed.bind(("127.0.0.1", 0))
        port = closed.getsockname()[1]
    url = f"postgresql://postgres:s3cret@127.0.0.1:{port}/greenreg"

    done, seconds = greenreg("events", "--database", url, cwd=tmp_path)

    assert done.returncode == FAILURE, done.stderr
    line = one_line(done.stderr)
    assert f"postgresql://postgres@127.0.0.1:{port}/greenreg" in line  # named, password left out
    assert "s3cret" not in done.stderr + done.stdout
    assert "check that PostgreSQL is running" in line
    promptly(seconds, tmp_path)


def test_a_missing_postgres_database_says_how_to_create_it(tmp_path: Path) -> None:
    url = POSTGRES_URL.rpartition("/")[0] + "/greenreg_no_such_database"

    done, seconds = greenreg("verify", "--database", url, cwd=tmp_path)

    assert done.returncode == FAILURE, done.stderr
    line = one_line(done.stderr)
    assert 'database "greenreg_no_such_database" does not exist' in line
    assert "createdb" in line
    promptly(seconds, tmp_path)


def test_a_sqlite_file_in_a_missing_folder_fails_in_one_line(tmp_path: Path) -> None:
    done, seconds = greenreg("events", "--database", "sqlite:///nowhere/greenreg.db", cwd=tmp_path)

    assert done.returncode == FAILURE, done.stderr
    line = one_line(done.stderr)
    assert "the folder nowhere does not exist" in line
    assert "mkdir -p nowhere" in line
    assert not (tmp_path / "nowhere").exists()
    promptly(seconds, tmp_path)


def test_an_unknown_kind_of_database_url_is_a_usage_error(tmp_path: Path) -> None:
    result = runner.invoke(app, ["events", "--database", "mysql://localhost/greenreg"])

    assert result.exit_code == USAGE, result.output
    assert "use sqlite:///path or postgresql://" in result.output
    assert "Traceback" not in result.output


def test_a_port_out_of_range_is_a_usage_error(tmp_path: Path) -> None:
    done, _ = greenreg("serve", "--port", "99999", cwd=tmp_path)

    assert done.returncode == USAGE, done.stderr
    assert "65535" in done.stderr
    assert "Traceback" not in done.stderr
    assert not (tmp_path / "greenreg.db").exists()


def test_a_taken_port_fails_at_once_before_the_first_run(tmp_path: Path) -> None:
    with socket.create_server(("127.0.0.1", 0)) as taken:
        port = str(taken.getsockname()[1])

        done, seconds = greenreg("serve", "--port", port, cwd=tmp_path)

    assert done.returncode == FAILURE, done.stderr
    line = one_line(done.stderr)
    assert f"cannot listen on 127.0.0.1 port {port}: Address already in use" in line
    assert "choose another --port" in line
    assert not (tmp_path / "greenreg.db").exists()  # nothing loaded for a server that cannot run
    assert not (tmp_path / "keys").exists()
    promptly(seconds, tmp_path)


@pytest.mark.parametrize(
    ("primary", "standby", "words"),
    [
        ("sqlite:///greenreg.db", "postgresql://h/db", "needs a PostgreSQL --database"),
        (POSTGRES_URL, "sqlite:///copy.db", "'sqlite:///copy.db' is not a PostgreSQL URL"),
    ],
)
def test_read_databases_are_postgres_standbys_of_a_postgres_primary(
    tmp_path: Path, primary: str, standby: str, words: str
) -> None:
    done, _ = greenreg("serve", "--database", primary, "--read-database", standby, cwd=tmp_path)

    assert done.returncode == FAILURE, done.stderr
    assert words in one_line(done.stderr)
    assert not (tmp_path / "keys").exists()  # refused before the first run


def test_a_projection_worker_s_metrics_need_follow(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'greenreg.db'}"
    result = runner.invoke(app, ["project", "--metrics-port", "9100", "--database", url])

    assert result.exit_code == FAILURE, result.output
    assert "--metrics-port is for a worker that keeps running: add --follow" in result.output


def test_a_projection_worker_s_taken_metrics_port_fails_in_one_line(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'greenreg.db'}"
    with socket.create_server(("127.0.0.1", 0)) as taken:
        port = str(taken.getsockname()[1])

        done, seconds = greenreg(
            "project", "--follow", "--metrics-port", port, "--database", url, cwd=tmp_path
        )

    assert done.returncode == FAILURE, done.stderr
    line = one_line(done.stderr)
    assert f"cannot serve metrics on 127.0.0.1 port {port}: Address already in use" in line
    assert seconds < 10, seconds


# --- sign ------------------------------------------------------------------------------------


def test_sign_refuses_a_public_key_file(tmp_path: Path) -> None:
    _, public = keys(tmp_path)
    act = tmp_path / "designate.json"
    act.write_text(json.dumps(DESIGNATE), "utf-8")

    done, _ = greenreg("sign", str(act), "--key", str(public), cwd=tmp_path)

    assert done.returncode == USAGE, done.stderr
    assert done.stdout == ""  # nothing signed
    assert "holds a public key, which cannot sign: give the private key (miit.key" in done.stderr


def test_sign_refuses_an_old_raw_public_key_copied_beside_as_a_key(tmp_path: Path) -> None:
    """Old raw files look alike: a .key holding the text of the .pub beside it is refused."""
    private, public = keys(tmp_path)
    private.write_text(public.read_text())
    act = tmp_path / "designate.json"
    act.write_text(json.dumps(DESIGNATE), "utf-8")

    result = runner.invoke(app, ["sign", str(act), "--key", str(private)])

    assert result.exit_code == USAGE, result.output
    assert "holds a public key" in result.output


@pytest.mark.parametrize(
    ("change", "reason"),
    [
        ({"programme": None}, "'programme' is required"),
        ({"unit": None}, "a 'designate' act names a 'unit'"),
        ({"effective_date": "2019-9-2"}, "effective_date"),
        ({"colour": "green"}, "no field 'colour'"),
        ({"type": "designated"}, "unknown act type 'designated'"),
    ],
)
def test_sign_refuses_an_act_the_registry_would_refuse(
    tmp_path: Path, change: dict[str, object], reason: str
) -> None:
    private, _ = keys(tmp_path)
    body = {k: v for k, v in {**DESIGNATE, **change}.items() if v is not None}
    act = tmp_path / "act.json"
    act.write_text(json.dumps(body), "utf-8")

    result = runner.invoke(app, ["sign", str(act), "--key", str(private)])

    assert result.exit_code == REFUSED, result.output
    assert "refused (malformed_act): not signed, the registry would refuse this act" in (
        result.output
    )
    assert reason in result.output
    assert '"signature"' not in result.output


def test_sign_refuses_an_act_already_signed(tmp_path: Path) -> None:
    private, _ = keys(tmp_path)
    act = tmp_path / "act.json"
    act.write_text(json.dumps(DESIGNATE), "utf-8")
    signed = runner.invoke(app, ["sign", str(act), "--key", str(private)])
    assert signed.exit_code == 0, signed.output
    again = tmp_path / "signed.json"
    again.write_text(signed.stdout, "utf-8")

    result = runner.invoke(app, ["sign", str(again), "--key", str(private)])

    assert result.exit_code == REFUSED
    assert "is already signed: submit it as it is" in result.output


# --- keys ------------------------------------------------------------------------------------


def test_keys_are_pkcs8_pem_and_sign_what_their_public_key_verifies(tmp_path: Path) -> None:
    private, public = keys(tmp_path)
    text = private.read_text("ascii")
    assert text.startswith("-----BEGIN PRIVATE KEY-----")
    assert private.stat().st_mode & 0o777 == 0o600
    loaded = serialization.load_pem_private_key(text.encode(), password=None)  # any tool reads it
    assert isinstance(loaded, Ed25519PrivateKey)
    raw = loaded.public_key().public_bytes(
        serialization.Encoding.Raw, serialization.PublicFormat.Raw
    )
    assert public.read_text("ascii").strip() == b64encode(raw)
    act = tmp_path / "act.json"
    act.write_text(json.dumps(DESIGNATE), "utf-8")

    signed = json.loads(runner.invoke(app, ["sign", str(act), "--key", str(private)]).stdout)

    verify_signature(raw, canonical_bytes(signed["act"]), b64decode(signed["signature"], "sig"))


def test_an_old_raw_key_file_still_signs(tmp_path: Path) -> None:
    old = Ed25519PrivateKey.generate()
    seed = old.private_bytes(
        serialization.Encoding.Raw, serialization.PrivateFormat.Raw, serialization.NoEncryption()
    )
    key = tmp_path / "old.key"
    key.write_text(base64.b64encode(seed).decode() + "\n")
    act = tmp_path / "act.json"
    act.write_text(json.dumps(DESIGNATE), "utf-8")

    result = runner.invoke(app, ["sign", str(act), "--key", str(key)])

    assert result.exit_code == 0, result.output
    signed = json.loads(result.stdout)
    raw = old.public_key().public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    verify_signature(raw, canonical_bytes(signed["act"]), b64decode(signed["signature"], "sig"))


def test_a_private_key_is_never_registered_as_a_public_key(
    world: World, database_url: str, tmp_path: Path
) -> None:
    root = tmp_path / "root.key"
    root.write_text(world.root.signer.pem())
    private, _ = keys(tmp_path, "js-fgw")
    before = world.snapshot()

    result = runner.invoke(
        app,
        ["authority", "add", "js-fgw", "--name", "江苏省发展和改革委员会", "--jurisdiction",
         "320000", "--programme", "green_park", "--public-key", str(private),
         "--root-key", str(root), "--database", database_url],
    )  # fmt: skip

    assert result.exit_code == USAGE, result.output
    assert "holds a private key, which must stay secret: give the public key (js-fgw.pub" in (
        result.output
    )
    assert world.snapshot() == before  # nothing recorded, the secret published nowhere


# --- refusals and the version ----------------------------------------------------------------


def test_a_refusal_names_its_code_and_exits_3_changing_nothing(
    world: World, database_url: str, tmp_path: Path
) -> None:
    park = world.register("js-eit", "苏州工业园区", "320505")
    act = world.act("js-eit", "designate", effective_date="2020-01-01", unit=str(park),
                    programme="green_park", jurisdiction="320000", colour="green")  # fmt: skip
    file = tmp_path / "signed.json"
    file.write_text(json.dumps(act, default=str), "utf-8")
    before = world.snapshot()

    result = runner.invoke(app, ["act", str(file), "--database", database_url])

    assert result.exit_code == REFUSED, result.output
    assert "refused (malformed_act): a 'designate' act has no field 'colour'" in result.output
    assert "(refused)" not in result.output
    assert world.snapshot() == before


def test_a_refusal_without_a_code_of_its_own_says_refused_once(tmp_path: Path) -> None:
    keys(tmp_path)

    result = runner.invoke(app, ["keys", "new", "miit", "--dir", str(tmp_path / "keys")])

    assert result.exit_code == REFUSED, result.output
    assert "refused: " in result.output
    assert "(refused)" not in result.output
    assert "a key is never overwritten" in result.output


def test_version_and_the_exit_statuses_in_the_help(tmp_path: Path) -> None:
    done, _ = greenreg("--version", cwd=tmp_path)
    assert (done.returncode, done.stdout.strip()) == (0, f"greenreg {__version__}")
    helped = runner.invoke(app, ["--help"])
    assert helped.exit_code == 0
    for status in ("0 done", "1 a check found a problem", "2 usage", "3 refused", "4 failure"):
        assert status in helped.output, helped.output


# --- positions -------------------------------------------------------------------------------


def test_events_are_numbered_by_their_log_position(
    world: World, database_url: str, tmp_path: Path
) -> None:
    world.register("js-eit", "苏州工业园区", "320505")
    recorder = world.registry.recorder
    size = recorder.log_size()

    result = runner.invoke(app, ["events", "--database", database_url])

    assert result.exit_code == 0, result.output
    lines = [json.loads(line) for line in result.stdout.splitlines()]
    assert [line["position"] for line in lines] == list(range(size))  # leaf indexes, from 0
    last = lines[-1]
    assert last["type"] == "UnitRegistered"
    assert recorder.log_size() - 1 == last["position"]
