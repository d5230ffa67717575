"""The Experiments pages on the demo workspace: the runs of a project or on a version with the
API's status and metrics, one run as the API shows it, two runs side by side as the API compares
them, the regression with the issue it opened; unknown runs are 404 pages, a bad compare 400."""

from __future__ import annotations

import html
import re
from typing import Any

from page_helpers import api_json
from web_helpers import web_login

PROJECT = "P-K12"
MEMBER = "tom.berg"  # algorithm engineer


def _api(client: Any, site: Any, path: str) -> Any:
    return api_json(client, site.token[MEMBER], path)


def _open(client: Any, site: Any, url: str, api_path: str) -> tuple[str, Any]:
    """Logged in as a member: the page at `url` (200, one heading) and the API's `api_path`."""
    web_login(client, site.token[MEMBER])
    page = client.get(url)
    assert page.status_code == 200 and page.text.count("<h1>") == 1
    return page.text, _api(client, site, api_path)


def _text(fragment: str) -> str:
    return html.unescape(re.sub(r"<[^>]+>", "", fragment)).strip()


def _group(pattern: str, text: str) -> str:
    """The first group of `pattern`'s first match in `text` (which must match)."""
    found = re.search(pattern, text, re.S)
    assert found, pattern
    return found.group(1)


def _metrics_of_row(page: str, run: str) -> dict[str, float]:
    row = re.search(rf'<tr id="run-{run}">(.*?)</tr>', page, re.S)
    assert row, run
    return {name: float(value) for name, value in re.findall(
        r'data-metric="([^"]+)">[^<]*? = ([^<]+)</span>', row.group(1))}


def test_runs_of_the_project_show_the_apis_status_metrics_and_regression(site_client, demo_site) -> None:  # type: ignore[no-untyped-def]
    text, listed = _open(site_client, demo_site, f"/experiments?project={PROJECT}",
                         f"/api/v1/experiments?project={PROJECT}&limit=500")
    assert re.findall(r'<tr id="run-([^"]+)">', text) == [e["id"] for e in listed["items"]]
    for e in listed["items"]:
        assert _metrics_of_row(text, e["id"]) == e["metrics"]
        row = _group(rf'<tr id="run-{e["id"]}">(.*?)</tr>', text)
        assert f"{e['state']}</span>" in row and f"<td>{e['kind']}</td>" in row
    found = _api(site_client, demo_site, f"/api/v1/projects/{PROJECT}/regressions")
    regressions = _group(r'id="regressions">(.*?)</table>', text)
    assert [r["experiment"]["id"] for r in found] == re.findall(
        r'<tr><td><a href="/experiments/([^"]+)">', regressions)
    compared = _api(site_client, demo_site, "/api/v1/experiments/EXP-0006/compare")
    assert _text(_group(r'class="fail">(.*?)</span>', regressions)) == \
        "✗ " + ", ".join(compared["regressions"])
    issues = [i["id"] for i in
              _api(site_client, demo_site, "/api/v1/experiments/EXP-0006")["issues"]]
    for issue in issues:
        assert f'<a href="/issues/{issue}">{issue}</a>' in regressions
    assert 'href="/experiments/compare?a=EXP-0006&amp;b=EXP-0005"' in text


def test_runs_on_a_version_are_those_that_used_it(site_client, demo_site) -> None:  # type: ignore[no-untyped-def]
    web_login(site_client, demo_site.token[MEMBER])
    page = site_client.get(f"/experiments?project={PROJECT}&version=V-0019")
    assert page.status_code == 200
    used = _api(site_client, demo_site, "/api/v1/versions/V-0019/experiments")
    assert re.findall(r'<tr id="run-([^"]+)">', page.text) == [e["id"] for e in used] == [
        "EXP-0006"]
    assert '<a href="/data/versions/V-0019">' in page.text
    missing = site_client.get("/experiments?version=V-9999")
    assert missing.status_code == 404 and "V-9999" in missing.text


def test_one_run_shows_what_the_api_shows(site_client, demo_site) -> None:  # type: ignore[no-untyped-def]
    text, api = _open(site_client, demo_site, "/experiments/EXP-0006",
                      "/api/v1/experiments/EXP-0006")
    for name, value in api["experiment"]["metrics"].items():
        shown = re.search(rf'id="metric-{re.escape(name)}">([^<]+)<', text)
        assert shown and float(shown.group(1)) == value, name
    assert _text(_group(r'id="error-samples">(.*?)</span>', text)) == \
        str(api["error_samples"]["count"])
    for use in api["versions"]:
        assert f'<a href="/data/versions/{use["version_id"]}">' in text
    for issue in api["issues"]:
        assert f'<a href="/issues/{issue["id"]}">' in text
    assert 'id="regression"' in text
    assert 'id="regression"' not in site_client.get("/experiments/EXP-0005").text
    missing = site_client.get("/experiments/EXP-9999")
    assert missing.status_code == 404 and "experiment EXP-9999 does not exist" in missing.text


def test_two_runs_side_by_side_are_the_apis_comparison(site_client, demo_site) -> None:  # type: ignore[no-untyped-def]
    text, api = _open(site_client, demo_site, "/experiments/compare?a=EXP-0006&b=EXP-0005",
                      "/api/v1/experiments/EXP-0006/compare?baseline=EXP-0005")
    rows = re.findall(r'<tr id="delta-([^"]+)" data-regressed="(true|false)"><th scope="row">'
                      r'[^<]+</th><td class="num">([^<]+)</td><td class="num">([^<]+)</td>',
                      text)
    assert [(n, r == "true", float(b), float(a)) for n, r, b, a in rows] == [
        (d["name"], d["regressed"], d["baseline"], d["value"]) for d in api["deltas"]]
    assert 'id="compare-metrics"' in text  # the chart, with its data table
    fresh = api["error_samples"]["new_failures"]
    assert f"New failures in EXP-0006: {len(fresh)};" in _text(text)


def test_a_bad_compare_is_a_400_page_and_an_unknown_run_a_404(site_client, demo_site) -> None:  # type: ignore[no-untyped-def]
    web_login(site_client, demo_site.token[MEMBER])
    one = site_client.get("/experiments/compare?a=EXP-0006")
    assert one.status_code == 400 and "a comparison needs two runs" in one.text
    same = site_client.get("/experiments/compare?a=EXP-0006&b=EXP-0006")
    assert same.status_code == 400 and "cannot compare EXP-0006 with itself" in same.text
    unknown = site_client.get("/experiments/compare?a=EXP-0006&b=EXP-9999")
    assert unknown.status_code == 404 and "experiment EXP-9999 does not exist" in unknown.text
