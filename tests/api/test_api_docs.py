"""docs/api.md documents every route the app serves, as "`METHOD /path`"."""

from __future__ import annotations

from pathlib import Path

DOCS = Path(__file__).resolve().parents[2] / "docs" / "api.md"


def test_every_route_is_in_docs_api_md() -> None:
    from dataflywheel.api.app import create_app
    from dataflywheel.api.policy import served_routes
    from dataflywheel.settings import Settings

    text = DOCS.read_text(encoding="utf-8")
    routes = [r for r in served_routes(create_app(Settings())) if r[1].startswith("/api/")]
    missing = [f"{m} {p}" for m, p in routes if f"`{m} {p}`" not in text]
    assert missing == [], f"routes missing from docs/api.md: {missing}"
