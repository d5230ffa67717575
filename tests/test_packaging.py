"""Packaging metadata: install must be warning-free, so the licence uses PEP 639's SPDX string.

setuptools deprecates `license = { text = … }` (a TOML table) and warns on every build and
install; the string form needs setuptools ≥ 77, so the build requirement must say so too.
"""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

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
