"""The house rules on imports (STYLE habit 1), enforced by import-linter on every test run."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

REPO = Path(__file__).resolve().parents[1]


def test_import_contracts_hold() -> None:
    exe = shutil.which("lint-imports", path=str(Path(sys.executable).parent))
    assert exe, "import-linter is a test dependency: pip install -e '.[test]'"
    result = subprocess.run([exe, "--config", str(REPO / "pyproject.toml")], cwd=REPO,
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stdout + result.stderr


def import_cycles(package: str) -> set[tuple[str, ...]]:
    """Every circle of imports among `package`'s modules, each as its shortest path back to its
    start (rotated to begin at its smallest module, so each circle appears once).

    grimp reads every `import` statement of a module's source: at module level, inside functions,
    and under `if TYPE_CHECKING:` alike, so a lazy import cannot hide a circle.
    """
    import grimp

    graph = grimp.build_graph(package, cache_dir=None)
    found: set[tuple[str, ...]] = set()
    for module in graph.modules:
        for imported in graph.find_modules_directly_imported_by(module):
            back = graph.find_shortest_chain(importer=imported, imported=module)
            if back is not None:
                cycle = (module, *back[:-1])
                start = cycle.index(min(cycle))
                found.add(cycle[start:] + cycle[:start])
    return found


def test_no_import_cycles() -> None:
    cycles = import_cycles("dataflywheel")
    shown = [" -> ".join((*c, c[0])) for c in sorted(cycles)]
    assert not cycles, "import circles:\n" + "\n".join(shown)


def test_cycle_finder_sees_function_level_imports(tmp_path: Path, monkeypatch: Any) -> None:
    """The finder reports a circle closed only by an import inside a function body."""
    pkg = tmp_path / "lazycircle"
    pkg.mkdir()
    (pkg / "__init__.py").write_text("")
    (pkg / "low.py").write_text("def late():\n    from lazycircle import high\n    return high\n")
    (pkg / "high.py").write_text("from lazycircle import low\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    assert import_cycles("lazycircle") == {("lazycircle.high", "lazycircle.low")}


# Packages the checks engine may not import (import-linter's layers and forbidden contracts).
ABOVE_THE_ENGINE = {"integrations", "flows", "store", "domain", "cli", "api", "web", "demo"}


def test_the_check_engine_loads_nothing_above_it() -> None:
    """The engine's plugin manager imports its plugins by name (`importlib`), which no import graph
    sees: look, in a fresh process, at what asking it for the checks, readers and engines imported."""
    import dataflywheel

    code = ("import sys\n"
            "from dataflywheel.checks.base import available_checks\n"
            "from dataflywheel.checks.readers.registry import available_readers\n"
            "from dataflywheel.checks.engines.registry import available_engines\n"
            "available_checks(); available_readers(); available_engines()\n"
            "print(*sorted(m for m in sys.modules if m.startswith('dataflywheel.')))\n")
    src = str(Path(dataflywheel.__file__).resolve().parents[1])
    loaded = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            check=True, timeout=120, env={**os.environ, "PYTHONPATH": src}).stdout
    above = [m for m in loaded.split() if m.split(".")[1] in ABOVE_THE_ENGINE]
    assert not above, f"the check engine imported {above}"
