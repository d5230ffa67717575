"""The plugin manager: built-in modules first, then installed `dataflywheel` entry points."""

from __future__ import annotations

import importlib
from functools import lru_cache

import pluggy

from dataflywheel import hookspecs

# Built-in modules that implement hooks, registered exactly like third-party plugins. The engine's
# (checks, readers, engines) come first. The annotation formats (integrations, a layer above the
# engine) are registered only when a plan asks for one (`format_plugin_manager`), and the command
# groups only when the CLI builds its commands (`command_plugin_manager`): the quality engine used
# as a library (`run_checks`, a server, a helper process) imports neither integrations nor Typer,
# rich and 23 command modules.
ENGINE_PLUGINS: tuple[str, ...] = (
    "dataflywheel.checks.builtin",
    "dataflywheel.checks.engines.registry",
)
FORMAT_PLUGINS: tuple[str, ...] = (
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
DEFAULT_PLUGINS: tuple[str, ...] = ENGINE_PLUGINS + FORMAT_PLUGINS + COMMAND_PLUGINS


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
def format_plugin_manager() -> pluggy.PluginManager:
    """`get_plugin_manager()` with the built-in annotation formats registered too: asked for by a
    check whose plan reads annotation tasks, never by the engine's start-up."""
    pm = get_plugin_manager()
    for name in FORMAT_PLUGINS:
        if pm.get_plugin(name) is None:
            pm.register(importlib.import_module(name), name=name)
    return pm


@lru_cache(maxsize=1)
def command_plugin_manager() -> pluggy.PluginManager:
    """`get_plugin_manager()` with the built-in command groups registered too (the CLI's)."""
    pm = get_plugin_manager()
    for name in COMMAND_PLUGINS:
        pm.register(importlib.import_module(name), name=name)
    return pm
