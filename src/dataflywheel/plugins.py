"""The plugin manager: built-in modules first, then installed `dataflywheel` entry points."""

from __future__ import annotations

import importlib
from functools import lru_cache

import pluggy

from dataflywheel import hookspecs

# Built-in modules that implement hooks, registered exactly like third-party plugins.
DEFAULT_PLUGINS: tuple[str, ...] = (
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
    "dataflywheel.checks.builtin",
    "dataflywheel.integrations.labelstudio",
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


@lru_cache(maxsize=1)
def get_plugin_manager() -> pluggy.PluginManager:
    pm = pluggy.PluginManager("dataflywheel")
    pm.add_hookspecs(hookspecs)
    for name in DEFAULT_PLUGINS:
        pm.register(importlib.import_module(name), name=name)
    pm.load_setuptools_entrypoints("dataflywheel")
    return pm
