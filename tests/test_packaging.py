"""The package as users install it: `pip wheel` builds a wheel holding every file of the source
package (templates, migrations, shipped YAML and JSON Schemas included), its metadata names the
version the CLI reports and keeps the server and object-store pieces in extras, and the installed
wheel runs outside the repository.

Install must also be warning-free, so the licence uses PEP 639's SPDX string: setuptools
deprecates `license = { text = … }` (a TOML table) and warns on every build and install; the string
form needs setuptools ≥ 77, so the build requirement must say so too.
"""

from __future__ import annotations

import email
import os
import re
import subprocess
import sys
import tomllib
import zipfile
from pathlib import Path

import pytest

from dataflywheel import __version__

REPO = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("dist")
    done = subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(out),
                           str(REPO)], capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stderr
    [built] = out.glob("dataflywheel-*.whl")
    return built


def test_the_wheel_holds_every_file_of_the_package(wheel: Path) -> None:
    tracked = subprocess.run(["git", "ls-files", "src/dataflywheel"], cwd=REPO,
                             capture_output=True, text=True, check=False)
    if tracked.returncode != 0:
        pytest.skip("not a git checkout: the tracked files are unknown")
    wanted = {p.removeprefix("src/") for p in tracked.stdout.split()}
    names = set(zipfile.ZipFile(wheel).namelist())
    assert sorted(wanted - names) == []


def test_the_metadata_names_the_version_and_the_extras(wheel: Path) -> None:
    with zipfile.ZipFile(wheel) as z:
        meta_name = next(n for n in z.namelist() if n.endswith(".dist-info/METADATA"))
        meta = email.message_from_string(z.read(meta_name).decode())
    assert meta["Version"] == __version__
    assert {"server", "s3", "mlflow"} <= set(meta.get_all("Provides-Extra"))
    core = [r for r in meta.get_all("Requires-Dist") if "extra ==" not in r]
    assert not [r for r in core if r.split()[0].split(">")[0] in ("fastapi", "uvicorn", "s3fs")]


def test_the_installed_wheel_runs_outside_the_repository(wheel: Path, tmp_path: Path) -> None:
    site = tmp_path / "site"
    done = subprocess.run([sys.executable, "-m", "pip", "install", "-q", "--no-deps", "--target",
                           str(site), str(wheel)], capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stderr
    env = {**os.environ, "PYTHONPATH": str(site)}

    def flywheel(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run([sys.executable, "-m", "dataflywheel", *args], cwd=tmp_path,
                              env=env, capture_output=True, text=True, check=False)

    where = subprocess.run([sys.executable, "-c", "import dataflywheel; print(dataflywheel.__file__)"],
                           cwd=tmp_path, env=env, capture_output=True, text=True, check=False)
    assert where.stdout.startswith(str(site))  # the wheel's copy, not the source tree
    assert flywheel("--version").stdout == f"flywheel {__version__}\n"
    assert flywheel("--home", "ws", "init").returncode == 0
    listed = flywheel("--home", "ws", "people", "list", "--json")
    assert listed.returncode == 0, listed.stderr
    checked = flywheel("--home", "ws", "audit", "verify")
    assert checked.returncode == 0 and "chain intact" in checked.stdout


PYPROJECT = Path(__file__).resolve().parents[1] / "pyproject.toml"


def _pyproject() -> dict[str, object]:
    return tomllib.loads(PYPROJECT.read_text(encoding="utf-8"))


def test_licence_is_a_pep639_spdx_string() -> None:
    project = _pyproject()["project"]
    assert isinstance(project, dict)
    assert project["license"] == "Apache-2.0", "use the SPDX string form, not a TOML table"
    classifiers = project.get("classifiers", [])
    assert not [c for c in classifiers if c.startswith("License ::")], \
        "PEP 639 forbids License classifiers beside an SPDX licence"


def test_build_requires_a_setuptools_that_reads_spdx_strings() -> None:
    system = _pyproject()["build-system"]
    assert isinstance(system, dict)
    [setuptools] = [r for r in system["requires"] if r.startswith("setuptools")]
    found = re.fullmatch(r"setuptools>=(\d+)(?:\.\d+)*", setuptools)
    assert found and int(found.group(1)) >= 77, setuptools
