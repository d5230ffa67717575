"""The annotation pages of the demo workspace against the API's answers: guides, a guide version
(labels, examples, FAQ, the guide rendered without raw HTML), vendors and a vendor's scorecard."""

from __future__ import annotations

import re

from page_helpers import api_json
from web_helpers import web_login

READER = "omar.haddad"  # any person reads these, as the API lets any person


def _api(client, site, path: str):  # type: ignore[no-untyped-def]
    return api_json(client, site.token[READER], path)


def test_the_guides_page_lists_every_version_the_api_lists(site_client, demo_site) -> None:  # type: ignore[no-untyped-def]
    web_login(site_client, demo_site.token[READER])
    page = site_client.get("/guides")
    assert page.status_code == 200
    for version in _api(site_client, demo_site, "/api/v1/guides"):
        link = f'/guides/{version["guide_id"]}/versions/{version["version"]}'
        assert link in page.text
        assert f'>{version["version"]}</a></td><td>{version["change_class"]}</td>' in page.text


def test_a_guide_version_shows_labels_examples_faq_and_the_guide(site_client, demo_site) -> None:  # type: ignore[no-untyped-def]
    web_login(site_client, demo_site.token[READER])
    view = _api(site_client, demo_site, "/api/v1/guides/sft-guide/versions/1.2.0")
    page = site_client.get("/guides/sft-guide/versions/1.2.0").text
    for label in view["version"]["labels"]:
        assert f"<td>{label['name']}</td>" in page
    for example in view["version"]["examples"]:
        assert f"<td>{example['id']}</td>" in page
    for faq in view["faq"]:
        assert faq["question"] in page
    heading = next(line for line in view["text"].splitlines() if line.startswith("# "))
    assert f"<h3>{heading[2:].strip()}</h3>" in page.replace("&#39;", "'")
    assert page.count("<h1>") == 1


def test_a_guide_with_raw_html_is_shown_as_text() -> None:
    from dataflywheel.web.pages.annotation import guide_html

    html = str(guide_html("# Guide\n\n<script>alert(1)</script>\n\n| a | b |\n|---|---|\n| 1 | 2 |\n"))
    assert "<script>" not in html and "&lt;script&gt;" in html
    assert "<table>" in html and "<h3>Guide</h3>" in html


def test_vendors_show_who_may_receive_work_as_the_scorecards_say(site_client, demo_site) -> None:  # type: ignore[no-untyped-def]
    web_login(site_client, demo_site.token[READER])
    page = site_client.get("/vendors").text
    for vendor in _api(site_client, demo_site, "/api/v1/vendors?limit=100")["items"]:
        card = _api(site_client, demo_site, f"/api/v1/vendors/{vendor['id']}/scorecard")
        row = re.search(rf'<tr><td><a href="/vendors/{vendor["id"]}">.*?</tr>', page, re.S)
        assert row, vendor["id"]
        word = "✓ yes" if card["may_receive_work"] else "✗ no"
        assert row.group(0).count(word) >= 1, (vendor["id"], row.group(0))
        for lack in card["missing"]:
            assert lack in row.group(0)


def test_a_vendors_page_is_its_scorecard(site_client, demo_site) -> None:  # type: ignore[no-untyped-def]
    web_login(site_client, demo_site.token[READER])
    card = _api(site_client, demo_site, "/api/v1/vendors/v-clearmark/scorecard")
    page = site_client.get("/vendors/v-clearmark").text
    for evidence in card["evidence"]:
        assert f"<td>{evidence['id']}</td>" in page
    assert re.search(r'id="drift-alerts">(\d+)<', page).group(1) == str(len(card["drift_alerts"]))  # type: ignore[union-attr]
    assert 'class="vega"' in page


def test_an_unknown_vendor_or_guide_version_is_a_404_page(site_client, demo_site) -> None:  # type: ignore[no-untyped-def]
    web_login(site_client, demo_site.token[READER])
    vendor = site_client.get("/vendors/v-nobody")
    assert vendor.status_code == 404 and "v-nobody" in vendor.text
    guide = site_client.get("/guides/sft-guide/versions/9.9.9")
    assert guide.status_code == 404 and "sft-guide@9.9.9" in guide.text
