"""What a report is made of: its name, its context type, its templates, its helpers and charts."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, Generic, Literal, TypeVar, get_args

Format = Literal["markdown", "html", "json"]
FORMATS: tuple[Format, ...] = get_args(Format)
TEMPLATE_SUFFIX: Mapping[Format, str] = {"markdown": ".md", "html": ".html"}

C = TypeVar("C")


@dataclass(frozen=True)
class ReportSpec(Generic[C]):
    """One report: `render(context, fmt)` uses `templates/<template>.md|.html` with the context as
    `report` and `helpers` as globals; each chart maps the context to a Vega-Lite spec."""

    name: str
    context: type[C]
    template: str
    helpers: Mapping[str, Callable[..., Any]] = field(default_factory=dict)
    charts: Mapping[str, Callable[[C], dict[str, Any]]] = field(default_factory=dict)
