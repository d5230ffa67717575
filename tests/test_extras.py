"""The optional pieces (`dataflywheel[server|s3|mlflow]`): a command whose piece is absent says
which extra to install (exit 2) instead of a traceback, and the demo runs without the server —
each absence made real by blocking the import, in a child process or for one test."""

from __future__ import annotations

import io
import subprocess
import sys
from pathlib import Path

import pytest
from datapool_helpers import FULL_DATASHEET, deliver_clean, setup_pool
from rich.console import Console

from dataflywheel.errors import BadInput
from dataflywheel.extras import EXTRAS, missing, require
from dataflywheel.flows.workspace import Workspace

BLOCKED_RUN = """\
import sys
for name in sys.argv[1].split(","):
    sys.modules[name] = None  # import fails as if the package were not installed
from dataflywheel.cli.main import run
run(sys.argv[2:])
"""


def test_serve_without_the_server_extra_says_what_to_install(tmp_path: Path) -> None:
    assert subprocess.run([sys.executable, "-m", "dataflywheel", "--home", str(tmp_path), "init"],
                          capture_output=True, check=False).returncode == 0
    done = subprocess.run([sys.executable, "-c", BLOCKED_RUN, "fastapi,uvicorn", "--home",
                           str(tmp_path), "serve"], capture_output=True, text=True, check=False)
    assert done.returncode == 2, done.stderr
    assert "flywheel serve needs the [server] extra" in done.stderr
    assert "pip install 'dataflywheel[server]'" in " ".join(done.stderr.split())
    assert "Traceback" not in done.stderr


def test_require_names_what_is_missing(monkeypatch: pytest.MonkeyPatch) -> None:
    assert missing("server") == []  # the test install has every extra
    monkeypatch.setitem(sys.modules, "uvicorn", None)
    assert missing("server") == ["uvicorn"]
    with pytest.raises(BadInput, match=r"serving needs the \[server\] extra") as caught:
        require("server", what="serving")
    assert caught.value.got == "not installed: uvicorn"
    assert set(EXTRAS) == {"server", "s3", "mlflow", "dvc"}


@pytest.mark.parametrize("backend_url", ["sqlite"], indirect=True)
def test_the_demo_freezes_through_the_flow_without_the_server(
        team: Workspace, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from dataflywheel.demo.server import demo_step
    from dataflywheel.flows.data import versions

    pool = setup_pool(team, sensitivity="public")
    batch = deliver_clean(pool, tmp_path / "a.jsonl", "a", seed=1).batch
    candidate = versions.create_version(team, pool.dataset, by="data-engineer",
                                        batch_ids=[batch.id])
    versions.set_datasheet(team, candidate.id, FULL_DATASHEET, by="data-engineer")
    monkeypatch.setitem(sys.modules, "fastapi", None)
    out = io.StringIO()
    demo_step(team, Console(file=out, width=300), candidate=candidate.id, owner="data-owner")
    text = out.getvalue()
    assert ("The team server needs the [server] extra (pip install 'dataflywheel[server]'); "
            f"without it data-owner freezes {candidate.id} through the flow: number 1") in text
    assert versions.get_version(team, candidate.id)[0].state.value == "frozen"
