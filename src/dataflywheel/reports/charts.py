"""Charts as Vega-Lite specs: data a browser (or `vl-convert`) draws; no plotting on the server."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

VEGA_LITE_SCHEMA = "https://vega.github.io/schema/vega-lite/v5.json"


def vega_lite(title: str, values: Sequence[dict[str, Any]], *,
              layer: Sequence[dict[str, Any]]) -> dict[str, Any]:
    """A layered Vega-Lite spec over inline `values`; each layer is a `{mark, encoding}` dict."""
    return {
        "$schema": VEGA_LITE_SCHEMA,
        "title": title,
        "data": {"values": list(values)},
        "layer": list(layer),
    }
