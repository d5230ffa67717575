"""What a check says about itself, readable without building it: its plan key, its settings and
the metrics it produces with their meaning.

`Check` (checks/base.py) inherits this. The registry (checks/registry.py) and the plan's
validation (checks/plan.py) read only this part, so neither imports the engine's base classes,
which take a plan: the plan is validated against the registry, and no import goes round in a
circle.
"""

from __future__ import annotations

from typing import ClassVar

from pydantic import BaseModel

from dataflywheel.checks.metrics import MetricInfo


class Declaration:
    """A check's declarations, as class attributes (see `Check` for the behaviour)."""

    name: ClassVar[str]
    metrics: ClassVar[tuple[str, ...]] = ()
    # What the check's plan key holds: a settings model (the plan turns the check on by giving
    # it, e.g. `pii: {kinds: [email]}`), or None for a plain switch (`blank: true`).
    settings: ClassVar[type[BaseModel] | None] = None
    # Whether a plan that does not name the check runs it (only for plain switches).
    on_by_default: ClassVar[bool] = False
    # Whether the check is meaningless without text: a plan turning it on must name `text_fields`.
    needs_text_fields: ClassVar[bool] = False
    # The metrics contracts may gate and deliveries keep, with their meaning (`checks.metrics`).
    described: ClassVar[tuple[MetricInfo, ...]] = ()
