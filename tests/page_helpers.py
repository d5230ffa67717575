"""Helpers for the dashboard's page tests: the API's JSON for the same records, and the text of
one element of a page."""

from __future__ import annotations

import html
import re
from datetime import datetime
from typing import Any


def api_json(client: Any, token: str, path: str, **params: Any) -> Any:
    """What the API answers `token`'s person for GET `path` (asserted 200)."""
    # `params` only when given: an empty mapping would drop a query already in `path` (httpx)
    answer = client.get(path, params=params or None,
                        headers={"Authorization": f"Bearer {token}"})
    assert answer.status_code == 200, answer.text
    return answer.json()


def element_text(page: str, element_id: str) -> str:
    """The text of the element with `element_id` (tags dropped, whitespace collapsed)."""
    found = re.search(rf'<(\w+)[^>]*\bid="{re.escape(element_id)}"[^>]*>(.*?)</\1>', page, re.S)
    assert found, f"no element with id {element_id!r}"
    inner = found.group(2).replace("<wbr>", "")  # a line-break hint inside a word
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", inner)).split())


def shown_time(iso: str | None) -> str:
    """An API timestamp as the pages show it (`when`): `YYYY-MM-DD HH:MM UTC`, `—` for none."""
    if iso is None:
        return "—"
    return datetime.fromisoformat(iso.replace("Z", "+00:00")).strftime("%Y-%m-%d %H:%M") + " UTC"


def alert_of(page: str) -> str:
    """The message of an error page."""
    found = re.search(r'role="alert">(.*?)</p>', page, re.S)
    assert found, page[-500:]
    return html.unescape(found.group(1))
