"""The release in a real browser: a candidate assembled over the API by its people; someone who is
not the Accountable person sees the decision disabled, with who alone may take it; the Accountable
person approves it on the page and sees it frozen — the state the API then answers."""

from __future__ import annotations

from typing import Any

import httpx

from web_helpers import LiveSite, browser_login
from web_release_helpers import ACCOUNTABLE, BATCHES, DATASET, RESPONSIBLE


def _candidate_over_the_api(site: LiveSite) -> str:
    """What `make_candidate` does, through the server: the data engineer assembles it, Legal
    approves it."""
    def call(person: str, path: str, body: dict[str, Any]) -> dict[str, Any]:
        answer = httpx.post(site.url + path, json=body, timeout=60,
                            headers={"Authorization": f"Bearer {site.token[person]}"})
        assert answer.status_code in (200, 201), answer.text
        return answer.json()  # type: ignore[no-any-return]

    def read(path: str) -> dict[str, Any]:
        answer = httpx.get(site.url + path, timeout=30, headers={
            "Authorization": f"Bearer {site.token[ACCOUNTABLE]}"})
        return answer.json()  # type: ignore[no-any-return]

    current = read(f"/api/v1/datasets/{DATASET}")["current_version_id"]
    sheet = read(f"/api/v1/versions/{current}/datasheet")
    version = call("chen.jie", f"/api/v1/datasets/{DATASET}/versions", {"batches": BATCHES})["id"]
    call("chen.jie", f"/api/v1/versions/{version}/datasheet", {"sections": sheet})
    call("eva.novak", f"/api/v1/versions/{version}/compliance",
         {"approve": True, "conclusion": "licensed textbook exercises; no personal data"})
    return str(version)


def test_only_the_accountable_person_can_approve_the_release_in_the_page(
        browser: Any, live_site: LiveSite) -> None:
    version = _candidate_over_the_api(live_site)
    url = f"{live_site.url}/data/versions/{version}"

    other = browser_login(browser, live_site, RESPONSIBLE)
    other.goto(url)
    assert other.locator("#approve").is_disabled()
    assert other.locator("#reject").is_disabled()
    assert "Only the Accountable person for training_set_version_release may" in \
        other.text_content("#release-only")  # type: ignore[operator]
    other.context.close()

    page = browser_login(browser, live_site, ACCOUNTABLE)
    page.goto(url)
    assert page.locator("#gate-f").get_attribute("data-met") == "false"  # the approval to come
    assert page.locator("#approve").is_enabled()
    page.click("#approve")
    page.wait_for_url(lambda u: "notice=" in u)
    assert "is frozen (manifest" in page.text_content(".notice")  # type: ignore[operator]
    assert page.text_content("#state").strip() == "■ frozen"  # type: ignore[union-attr]
    assert page.text_content("#approved-by") == ACCOUNTABLE
    assert page.locator("#approve").count() == 0
    api = httpx.get(f"{live_site.url}/api/v1/versions/{version}", timeout=30,
                    headers={"Authorization": f"Bearer {live_site.token[ACCOUNTABLE]}"}).json()
    assert (api["state"], api["approved_by_id"]) == ("frozen", ACCOUNTABLE)
    assert page.text_content("#manifest") == api["manifest_sha256"]
    page.context.close()
