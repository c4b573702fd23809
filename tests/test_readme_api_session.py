"""The README's API session is true: its `curl` block, run as written against a real server,
creates a plan, updates a milestone, exports the plan and imports the export as a new plan."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest

from tests.server import MUTUALPLAN, in_ci, start_server, stop_server

ROOT = Path(__file__).resolve().parent.parent


def session_block() -> str:
    readme = (ROOT / "README.md").read_text()
    after = readme.split("<!-- api-session -->", 1)[1]
    return after.split("```bash\n", 1)[1].split("```", 1)[0]


def test_the_readmes_api_session_runs_as_written(tmp_path: Path) -> None:
    for tool in ("curl", "jq", "base64"):
        if shutil.which(tool) is None:
            message = f"{tool} is not installed (apt-get install {tool})"
            if in_ci():
                pytest.fail(f"{message}; CI runs the README's API session")
            pytest.skip(message)
    server, process = start_server(tmp_path / "serve")
    try:
        server.run_cli("createuser", "you@example.com", "--password", "correct-horse-battery")
        env = server.env | {
            "BASE": f"{server.url}/api/v1",
            "PATH": f"{MUTUALPLAN.parent}{os.pathsep}{os.environ.get('PATH', '')}",
        }
        result = subprocess.run(
            ["bash", "-euo", "pipefail", "-c", session_block()],
            env=env,
            cwd=tmp_path,
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
    finally:
        stop_server(process)
    assert result.returncode == 0, result.stderr + result.stdout + server.log()
    out = result.stdout
    assert '"status": "in_progress"' in out
    exported = (tmp_path / "northwind.csv").read_text(encoding="utf-8-sig")
    assert exported.startswith("Milestone,Owner side,Owner team")
    imported = json.loads(out[out.rindex("{\n") :])
    assert imported["account"] == "Contoso"
    # Every row of the export came back in the new plan.
    assert imported["rows"] == len(exported.strip().splitlines()) - 1
