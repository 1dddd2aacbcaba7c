"""The README's tour runs exactly as written (docs that run)."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

README = Path(__file__).parents[1] / "README.md"


def tour_script() -> str:
    text = README.read_text(encoding="utf-8")
    tour = text.split("<!-- tour -->")[1].split("<!-- /tour -->")[0]
    return "\n".join(re.findall(r"```bash\n(.*?)```", tour, flags=re.DOTALL))


def test_the_tour_runs_as_written(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if k != "GREENREG_DATABASE_URL"}
    env["PATH"] = f"{Path(sys.executable).parent}{os.pathsep}{env.get('PATH', '')}"
    env["COLUMNS"] = "200"
    run = subprocess.run(
        ["bash", "-euo", "pipefail", "-c", tour_script()],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    out = run.stdout + run.stderr
    assert run.returncode == 0, out
    # Each step said what it did.
    assert "recorded as RegistryFounded" in out
    assert "recorded as UnitRegistered" in out
    assert "recorded as Designated" in out
    assert "recorded as Renamed" in out
    assert "was already recorded; nothing new was recorded" in out
    # The contradicting removal was refused, with its reason.
    assert "refused (contradicts_history)" in out
    assert "refused, as it should be" in out
    # The unit shows its current and former names and its designation, not removed.
    assert "示例低碳科技股份有限公司" in out
    assert "formerly 示例绿色制造有限公司" in out
    assert "listed" in out
    # The last event, as stored: the rename, signed by MIIT's key.
    last = json.loads(run.stdout.strip().splitlines()[-1])
    assert last["type"] == "Renamed"
    assert json.loads(last["signed_act"])["new_name"] == "示例低碳科技股份有限公司"
    assert last["signature"]
    assert last["key_id"]
