"""The one Jinja2 environment of reports: packaged templates, HTML autoescaped, Markdown verbatim.

Whitespace rules (`trim_blocks`, `lstrip_blocks`, `keep_trailing_newline`) let a Markdown template
put each tag on its own line and still produce exactly the lines it shows. Undefined names raise,
so a typo in a template fails its test instead of printing nothing.
"""

from __future__ import annotations

from functools import cache

import jinja2


def num(value: float) -> str:
    """A metric for people: integers without `.0`, other values to six significant digits."""
    return str(int(value)) if float(value).is_integer() else f"{value:.6g}"


def cell(text: str) -> str:
    """Text safe inside a Markdown table cell or list item: `|` escaped, newlines folded."""
    return text.replace("|", "\\|").replace("\n", " ")


@cache
def environment() -> jinja2.Environment:
    """Built on first use, never at import (STYLE: nothing built at import time)."""
    env = jinja2.Environment(
        loader=jinja2.PackageLoader("dataflywheel.reports", "templates"),
        autoescape=jinja2.select_autoescape(enabled_extensions=("html",), default=False),
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.filters["num"] = num
    env.filters["cell"] = cell
    return env
