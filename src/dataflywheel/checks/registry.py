"""The registered checks as one catalogue: the settings a plan's `checks` accepts, the metrics a
contract may gate and what they mean, and the headline a delivery keeps.

Everything here is read from the checks themselves (`Check.settings`, `on_by_default`,
`needs_text_fields`, `described`), built-ins and plugins alike, in registration order
(`registered_checks`). Nothing outside a check's own module lists its metrics or settings.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any

from pydantic import BaseModel, ConfigDict, create_model

from dataflywheel.checks.declaration import Declaration
from dataflywheel.checks.metrics import RANGES, MetricInfo, MetricKind
from dataflywheel.errors import BadInput


def registered_checks() -> dict[str, type[Declaration]]:
    """Every registered check class by name, in registration order: the built-ins in
    `BUILTIN_MODULES` order, then plugins in the order they were registered (pluggy calls the
    latest first; the order here is what lists of metrics and plan settings follow)."""
    from dataflywheel.plugins import get_plugin_manager

    found: dict[str, type[Declaration]] = {}
    for classes in reversed(get_plugin_manager().hook.register_checks()):
        for cls in classes or ():
            other = found.get(cls.name)
            if other is not None and other is not cls:
                raise BadInput(
                    f"two checks are registered as {cls.name!r}",
                    expected="one check class per name",
                    got=f"{other.__module__}.{other.__qualname__} and {cls.__module__}.{cls.__qualname__}",
                )
            found[cls.name] = cls
    return found


def gate_metrics() -> dict[str, MetricInfo]:
    """Metrics a contract may gate by their own name, in registration order."""
    return {m.name: m for cls in registered_checks().values() for m in cls.described
            if m.gate and not m.per_field}


def field_metrics() -> dict[str, MetricInfo]:
    """Per-field metrics a contract may gate as `name.FIELD`, by `name`."""
    return {m.name: m for cls in registered_checks().values() for m in cls.described
            if m.gate and m.per_field}


def metric_info(metric: str) -> MetricInfo | None:
    """What the gated metric `metric` is, or None when no registered check produces it."""
    prefix, dot, field = metric.partition(".")
    return field_metrics().get(prefix) if dot and field else gate_metrics().get(metric)


def gate_problem(metric: str, value: float) -> str | None:
    """Why a threshold `metric op value` cannot gate anything, or None when it can: the metric
    is unknown, or the value is outside the range of the metric's kind."""
    info = metric_info(metric)
    if info is None:
        known = ", ".join([*gate_metrics(), *(f"{p}.FIELD" for p in field_metrics())])
        return f"unknown metric {metric!r}; expected one of {known}"
    low, high, span = RANGES[info.kind]
    if not low <= value <= high:
        shown = f"{value * 100:g} %" if info.kind is MetricKind.RATE else f"{value:g}"
        return f"{metric} threshold {shown} is out of range {span}"
    return None


def check_of(metric: str) -> type[Declaration] | None:
    """The check that produces the gated metric `metric` (`name` or `name.FIELD`)."""
    prefix, dot, field = metric.partition(".")
    per_field = bool(dot and field)
    for cls in registered_checks().values():
        for m in cls.described:
            if m.gate and m.per_field == per_field and m.name == (prefix if per_field else metric):
                return cls
    return None


def gate_names(check: str) -> tuple[str, ...]:
    """The metrics of one check that a contract may gate by name, in its declared order."""
    cls = registered_checks().get(check)
    return () if cls is None else tuple(m.name for m in cls.described if m.gate and not m.per_field)


def headline_metrics() -> tuple[str, ...]:
    """The metrics a delivered batch keeps in its quality summary, in registration order."""
    return tuple(m.name for cls in registered_checks().values() for m in cls.described
                 if m.headline)


def text_checks() -> tuple[str, ...]:
    """The checks that read the records' text (a plan turning one on needs `text_fields`)."""
    return tuple(name for name, cls in registered_checks().items() if cls.needs_text_fields)


def settings_model() -> type[BaseModel]:
    """The model of a plan's `checks`: one key per registered check, holding its settings
    model (off unless given) or a switch (`on_by_default` unless said otherwise)."""
    return _settings_model(tuple(registered_checks().values()))


@lru_cache(maxsize=8)
def _settings_model(classes: tuple[type[Declaration], ...]) -> type[BaseModel]:
    fields: dict[str, Any] = {
        cls.name: (bool, cls.on_by_default) if cls.settings is None else (cls.settings | None, None)
        for cls in classes
    }
    return create_model(
        "ChecksSpec", __config__=ConfigDict(extra="forbid", frozen=True), **fields)
