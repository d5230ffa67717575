"""Renderers: one context to Markdown or HTML (its report's templates), JSON, or a chart.

JSON is the context itself, in the rule of the stored quality report (sorted keys, two-space
indent, UTF-8 kept, a final newline), so the JSON twin of a page is the data the page shows.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, TypeAdapter

from dataflywheel.canonjson import sorted_json
from dataflywheel.errors import BadInput
from dataflywheel.reports.registry import spec_for
from dataflywheel.reports.spec import FORMATS, TEMPLATE_SUFFIX, Format
from dataflywheel.reports.templating import environment


def render(context: object, fmt: Format) -> str:
    """`context` as `fmt`: Markdown and HTML through its report's templates, JSON as data."""
    if fmt == "json":
        return json_text(context)
    if fmt not in TEMPLATE_SUFFIX:
        raise BadInput("unknown report format", field="format", expected=", ".join(FORMATS),
                       got=str(fmt))
    spec = spec_for(context)
    template = environment().get_template(spec.template + TEMPLATE_SUFFIX[fmt])
    return template.render(report=context, **spec.helpers)


def chart(context: object, name: str) -> dict[str, Any]:
    """The Vega-Lite spec of the chart `name` of `context`'s report."""
    charts = spec_for(context).charts
    if name not in charts:
        raise BadInput("unknown chart", field="chart", expected=", ".join(sorted(charts)),
                       got=name)
    return charts[name](context)


def json_text(data: object) -> str:
    """Stable JSON of a model, dataclass or plain data: sorted keys, two-space indent, UTF-8."""
    plain = (data.model_dump(mode="json") if isinstance(data, BaseModel)
             else TypeAdapter(type(data)).dump_python(data, mode="json"))
    return sorted_json(plain, indent=2, ascii=False) + "\n"
