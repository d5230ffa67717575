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
# The built-in command modules and the top-level names each one's hook registers (a test holds the
# two together). A command named on the command line imports only its own module (`command_module`);
# help, a plugin's command and an unknown name register every group (`command_plugin_manager`).
COMMAND_PLUGINS: dict[str, tuple[str, ...]] = {
    "dataflywheel.cli.workspace": ("init", "db"),
    "dataflywheel.cli.people": ("people", "roles", "teams", "vendors"),
    "dataflywheel.cli.projects": ("projects",),
    "dataflywheel.cli.raci": ("raci",),
    "dataflywheel.cli.requirements": ("requirements",),
    "dataflywheel.cli.contract": ("contracts",),
    "dataflywheel.cli.notifications": ("inbox",),
    "dataflywheel.cli.demo": ("demo",),
    "dataflywheel.cli.verify": ("verify",),
    "dataflywheel.cli.audit": ("audit",),
    "dataflywheel.cli.check": ("check",),
    "dataflywheel.cli.data": ("deliver", "freeze", "datasets", "versions"),
    "dataflywheel.cli.batches": ("batches",),
    "dataflywheel.cli.issue": ("issues",),
    "dataflywheel.cli.kb": ("kb",),
    "dataflywheel.cli.guides": ("guides",),
    "dataflywheel.cli.trace": ("trace",),
    "dataflywheel.cli.metrics": ("metrics", "scorecard"),
    "dataflywheel.cli.report": ("report",),
    "dataflywheel.cli.assess": ("assess",),
    "dataflywheel.cli.experiment": ("experiments",),
    "dataflywheel.cli.exception": ("exceptions",),
    "dataflywheel.cli.lineage": ("lineage",),
    "dataflywheel.cli.export": ("export",),
    "dataflywheel.cli.feedback": ("feedback",),
    "dataflywheel.cli.access": ("access",),
    "dataflywheel.cli.system": ("system",),
    "dataflywheel.cli.serve": ("serve",),
    "dataflywheel.cli.tokens": ("tokens", "admins"),
}
DEFAULT_PLUGINS: tuple[str, ...] = ENGINE_PLUGINS + FORMAT_PLUGINS + tuple(COMMAND_PLUGINS)


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


def command_module(name: str) -> str | None:
    """The built-in module whose hook registers the top-level command or group `name`; None for
    a name only a plugin (or nobody) registers."""
    return next((module for module, names in COMMAND_PLUGINS.items() if name in names), None)
