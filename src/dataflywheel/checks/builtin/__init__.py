"""Built-in checks, registered through the same `register_checks` hook as any plugin.

Each module named in `BUILTIN_MODULES` exposes `CHECKS: list[type[Check]]`; their order is the
registry's (`registry.registered_checks`): the order of a plan's `checks` keys and of the metrics a
contract may gate. A module that is not
part of this installation is skipped here; a plan that enables its check then fails with a clear
"not installed" error from `enabled_checks`, so nothing is skipped silently.
"""

from __future__ import annotations

import importlib
from typing import Any

from dataflywheel.hookspecs import hookimpl

BUILTIN_MODULES: tuple[str, ...] = (
    "structural",
    "duplicates",
    "near_duplicates",
    "blanks",
    "charset",
    "length",
    "pii",
    "contamination",
    "agreement",
    "spot_check",
)


@hookimpl
def register_readers() -> list[Any]:
    from dataflywheel.checks.readers.registry import BUILTIN_READERS

    return list(BUILTIN_READERS)


@hookimpl
def register_checks() -> list[Any]:
    classes: list[Any] = []
    for short in BUILTIN_MODULES:
        name = f"{__name__}.{short}"
        try:
            module = importlib.import_module(name)
        except ModuleNotFoundError as exc:
            if exc.name == name:
                continue
            raise
        classes.extend(module.CHECKS)
    return classes
