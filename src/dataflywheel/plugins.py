"""The plugin manager: built-in modules first, then installed `dataflywheel` entry points."""

from __future__ import annotations

import importlib
from functools import lru_cache

import pluggy

from dataflywheel import hookspecs

# Built-in modules that implement hooks, registered exactly like third-party plugins. The engine's
# (checks, readers, engines, annotation formats) come first; the command groups' are registered only
# when the CLI builds its commands (`command_plugin_manager`), so the quality engine used as a
# library (`run_checks`, a server, a helper process) does not import Typer, rich and 23 command
# modules.
ENGINE_PLUGINS: tuple[str, ...] = (
    "dataflywheel.checks.builtin",
    "dataflywheel.checks.engines.registry",
    "dataflywheel.integrations.labelstudio",
)
COMMAND_PLUGINS: tuple[str, ...] = (
    "dataflywheel.cli.workspace",
    "dataflywheel.cli.people",
    "dataflywheel.cli.projects",
    "dataflywheel.cli.raci",
    "dataflywheel.cli.requirements",
    "dataflywheel.cli.contract",
    "dataflywheel.cli.notifications",
    "dataflywheel.cli.demo",
    "dataflywheel.cli.verify",
    "dataflywheel.cli.audit",
    "dataflywheel.cli.check",
    "dataflywheel.cli.data",
    "dataflywheel.cli.batches",
    "dataflywheel.cli.issue",
    "dataflywheel.cli.kb",
    "dataflywheel.cli.trace",
    "dataflywheel.cli.experiment",
    "dataflywheel.cli.exception",
    "dataflywheel.cli.lineage",
    "dataflywheel.cli.export",
    "dataflywheel.cli.feedback",
    "dataflywheel.cli.access",
    "dataflywheel.cli.serve",
)
DEFAULT_PLUGINS: tuple[str, ...] = ENGINE_PLUGINS + COMMAND_PLUGINS


@lru_cache(maxsize=1)
def get_plugin_manager() -> pluggy.PluginManager:
    """The engine's built-in plugins, then installed `dataflywheel` entry points (every hook of
    theirs, commands included)."""
    pm = pluggy.PluginManager("dataflywheel")
    pm.add_hookspecs(hookspecs)
    for name in ENGINE_PLUGINS:
        pm.register(importlib.import_module(name), name=name)
    pm.load_setuptools_entrypoints("dataflywheel")
    return pm


@lru_cache(maxsize=1)
def command_plugin_manager() -> pluggy.PluginManager:
    """`get_plugin_manager()` with the built-in command groups registered too (the CLI's)."""
    pm = get_plugin_manager()
    for name in COMMAND_PLUGINS:
        pm.register(importlib.import_module(name), name=name)
    return pm
