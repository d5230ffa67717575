"""Engines by name: one `Engine` class per name, found through the `register_engines` hook.

The built-ins (`single`, `local`) are registered here like plugins; a Ray engine is one more
class registered the same way. `run_checks`, `flywheel check --engine` and the delivery flows
ask `engine_named` for the class, so the names they accept, and the error for any other, come
from the registry. This module imports no engine until the hook is called (the plugin manager
registers it whenever it is built, the CLI's included).
"""

from __future__ import annotations

from functools import lru_cache
from typing import TYPE_CHECKING, Any

from dataflywheel.errors import BadInput
from dataflywheel.hookspecs import hookimpl

if TYPE_CHECKING:
    from dataflywheel.checks.engines.base import Engine


@hookimpl
def register_engines() -> list[Any]:
    from dataflywheel.checks.engines.local import LocalEngine
    from dataflywheel.checks.engines.single import SingleEngine

    return [LocalEngine, SingleEngine]


@lru_cache(maxsize=1)
def available_engines() -> dict[str, type[Engine]]:
    """Every registered engine class by name, names sorted (built-ins and plugins)."""
    from dataflywheel.plugins import get_plugin_manager

    found: dict[str, type[Engine]] = {}
    for engines in get_plugin_manager().hook.register_engines():
        for engine in engines or ():
            if engine.name in found and found[engine.name] is not engine:
                raise BadInput(
                    f"two engines are registered as {engine.name!r}",
                    expected="one engine per name",
                )
            found[engine.name] = engine
    return dict(sorted(found.items()))


def engine_named(name: str, *, field: str = "engine") -> type[Engine]:
    """The engine registered as `name`; BadInput naming `field` and the valid names if none is."""
    engines = available_engines()
    if name not in engines:
        *others, last = engines
        names = f"{', '.join(others)} or {last}" if others else last
        raise BadInput("unknown engine", field=field, expected=names, got=name)
    return engines[name]
