"""The README's tour runs exactly as written (docs that run), on a free port instead of 8000."""

from __future__ import annotations

import contextlib
import json
import os
import re
import signal
import socket
import subprocess
import sys
from pathlib import Path

README = Path(__file__).parents[1] / "README.md"


def tour_script() -> str:
    text = README.read_text(encoding="utf-8")
    tour = text.split("<!-- tour -->")[1].split("<!-- /tour -->")[0]
    return "\n".join(re.findall(r"```bash\n(.*?)```", tour, flags=re.DOTALL))


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def test_the_tour_runs_as_written(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if k != "GREENREG_DATABASE_URL"}
    env["PATH"] = f"{Path(sys.executable).parent}{os.pathsep}{env.get('PATH', '')}"
    env["COLUMNS"] = "200"
    script = tour_script().replace("8000", str(free_port()))
    tour = subprocess.Popen(  # its own process group: the server it starts goes with it
        ["bash", "-euo", "pipefail", "-c", script],
        cwd=tmp_path,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
    )
    try:
        stdout, stderr = tour.communicate(timeout=600)
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(tour.pid, signal.SIGTERM)  # a tour that stopped early left its server
    run = subprocess.CompletedProcess(tour.args, tour.returncode, stdout, stderr)
    out = run.stdout + run.stderr
    assert run.returncode == 0, out + (tmp_path / "serve.log").read_text()
    # The public: the shipped park, listed nationally since the first batch, under its document.
    hits = json.loads((tmp_path / "hits.json").read_text())
    assert hits["hits"][0]["unit"]["name"] == "苏州工业园区"
    assert '"status": "listed"' in out
    assert "工信厅节函〔2017〕491号" in out
    # The authority: registered, its acts recorded once, the contradicting removal refused.
    assert "recorded as AuthorityRegistered" in out
    assert out.count('"status":"already_recorded"') == 1, out
    assert "(HTTP 409)" in out
    assert "contradicts_history" in out
    # The bank: one outcome per code, in order, and a receipt that verifies offline.
    answer = json.loads((tmp_path / "answer.json").read_text())
    results = answer["data"]["certifications"]["results"]
    assert [r["outcome"] for r in results] == ["CERTIFIED", "NOT_FOUND", "INVALID_CODE"]
    assert results[0]["designations"][0]["documentNumber"] == "工信厅节函〔2019〕196号"
    assert "valid from the root key: certification_check receipt" in out
    portfolio = json.loads((tmp_path / "portfolio.json").read_text())
    assert [r["outcome"] for r in portfolio["results"]] == ["certified", "invalid_code"]
    assert (
        portfolio["results"][0]["designations"][0]["document_number"] == "工信厅节函〔2019〕196号"
    )
    assert portfolio["results"][0]["evidence"]
    # The inspector: the live store and the export both verify.
    assert out.count("no problems") >= 2 or out.count("verified") >= 2, out
    last = json.loads(run.stdout.strip().splitlines()[-1])
    assert last["type"] == "Designated"
    assert last["signature"]
    assert last["key_id"]
    # Its position is its leaf index: the log proves it, and it is the last of the signed tree.
    proved = json.loads((tmp_path / "proof.json").read_text())
    proof = proved["inclusion"]
    assert proof["position"] == last["position"] == proof["tree_size"] - 1, proof
    assert proved["data_version"]["last_position"] == last["position"]
