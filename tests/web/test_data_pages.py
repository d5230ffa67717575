"""The Data pages on the demo workspace: the datasets' version timelines and a version's page
show what the API answers for the same records; the release is decided on the page by its
Accountable person only (the same flow as the API's route), and refused for anyone else."""

from __future__ import annotations

import html
import re
from typing import Any

from page_helpers import api_json
from web_helpers import csrf_of, web_login
from web_release_helpers import ACCOUNTABLE, RESPONSIBLE, make_candidate

PROJECT = "P-K12"


def _api(client: Any, site: Any, person: str, path: str) -> Any:
    return api_json(client, site.token[person], path)


def _cell(page: str, element_id: str) -> str:
    closing = "</(?:td|th|span|code|strong)>"
    found = re.search(rf'id="{re.escape(element_id)}"[^>]*>(.*?){closing}', page, re.S)
    assert found, f"no element {element_id}"
    return html.unescape(re.sub(r"<[^>]+>", "", found.group(1))).strip()


def _group(pattern: str, text: str) -> str:
    """The first group of `pattern`'s first match in `text` (which must match)."""
    found = re.search(pattern, text, re.S)
    assert found, pattern
    return found.group(1)


def _text(fragment: str) -> str:
    return html.unescape(re.sub(r"<[^>]+>", "", fragment))


def _gate_rows(page: str) -> list[tuple[str, bool, list[str]]]:
    rows = re.findall(r'<tr id="gate-(\w)" data-met="(true|false)">(.*?)</tr>', page, re.S)
    return [(code, met == "true", [html.unescape(p) for p in
                                   re.findall(r'<li class="problem">(.*?)</li>', body)])
            for code, met, body in rows]


def test_data_page_lists_each_dataset_with_its_versions_as_the_api(site_client, demo_site) -> None:  # type: ignore[no-untyped-def]
    web_login(site_client, demo_site.token[RESPONSIBLE])
    page = site_client.get(f"/data?project={PROJECT}")
    assert page.status_code == 200 and page.text.count("<h1>") == 1
    datasets = _api(site_client, demo_site, RESPONSIBLE, f"/api/v1/datasets?project={PROJECT}")
    assert datasets["items"]
    for ds in datasets["items"]:
        listed = _api(site_client, demo_site, RESPONSIBLE,
                      f"/api/v1/versions?dataset={ds['id']}&limit=500")["items"]
        table = re.search(rf'id="versions-{ds["id"]}">(.*?)</table>', page.text, re.S)
        assert table, ds["id"]
        shown = re.findall(r'<tr id="row-([^"]+)">.*?data-state="(\w+)"', table.group(1), re.S)
        by_number = sorted(listed, key=lambda v: (v["number"] is None, v["number"] or 0))
        assert shown == [(v["id"], v["state"]) for v in by_number]
    assert 'id="versions-timeline"' in page.text  # the chart, with its data table
    assert '<a href="/data/versions/V-0022">' in page.text
    assert f'href="/experiments?project={PROJECT}"' in page.text


def test_dataset_page_lists_the_apis_page_of_its_versions(site_client, demo_site) -> None:  # type: ignore[no-untyped-def]
    web_login(site_client, demo_site.token[RESPONSIBLE])
    assert '<a href="/data/datasets/DS-0001">' in site_client.get(f"/data?project={PROJECT}").text
    page = site_client.get("/data/datasets/DS-0001")
    assert page.status_code == 200 and page.text.count("<h1>") == 1
    api = _api(site_client, demo_site, RESPONSIBLE, "/api/v1/versions?dataset=DS-0001&limit=100")
    shown = re.findall(r'<tr id="row-([^"]+)">.*?data-state="(\w+)"', page.text, re.S)
    assert shown == [(v["id"], v["state"]) for v in api["items"]]
    assert ('id="next"' in page.text) == (api["next_cursor"] is not None)
    assert site_client.get("/data/datasets/DS-9999").status_code == 404
    forged = site_client.get("/data/datasets/DS-0001?cursor=forged")
    assert forged.status_code == 400 and "not a cursor of this list" in forged.text


def test_version_page_shows_the_apis_figures_and_links_its_lineage(site_client, demo_site) -> None:  # type: ignore[no-untyped-def]
    web_login(site_client, demo_site.token[RESPONSIBLE])
    for version in ("V-0019", "V-0022"):
        page = site_client.get(f"/data/versions/{version}")
        assert page.status_code == 200 and page.text.count("<h1>") == 1
        api = _api(site_client, demo_site, RESPONSIBLE, f"/api/v1/versions/{version}")
        assert f"<h1>Version {api['dataset_id']}" not in page.text  # the label, not the ids
        assert _cell(page.text, "batch-count") == str(len(api["batches"]))
        assert _cell(page.text, "manifest") == api["manifest_sha256"]
        assert _cell(page.text, "approved-by") == api["approved_by_id"]
        for name, value in api["quality_summary"]["metrics"].items():
            shown = float(_cell(page.text, f"metric-{name}"))
            assert shown == value, name
        for batch in api["batches"]:
            assert f'id="batch-{batch}"' in page.text and f'href="#batch-{batch}"' in page.text
        assert 'id="gate-closed"' in page.text and 'id="approve"' not in page.text
    # V-0019: trained the run that regressed, whose issue links back
    v19 = site_client.get("/data/versions/V-0019").text
    assert '<a href="/experiments/EXP-0006">EXP-0006</a>' in v19
    assert '<a href="/issues/ISS-0005">ISS-0005</a>' in v19
    assert "EXP-0006 → ISS-0005" in v19 and "V-0019 → EXP-0006" in v19
    assert '<svg xmlns="http://www.w3.org/2000/svg"' in v19
    assert 'href="/experiments?project=P-K12&amp;version=V-0019"' in v19
    graph = _api(site_client, demo_site, RESPONSIBLE, "/api/v1/lineage/versions/V-0019/graph")
    listed = _group(r'id="lineage-list">(.*?)</ul>', v19)
    assert re.findall(r"(\w[\w-]*-\d{4}) \(", _text(listed)) == [n["id"] for n in graph["nodes"]]
    assert re.findall(r"<li>(\S+) → (\S+)</li>", v19) == [(e["source"], e["target"])
                                                          for e in graph["edges"]]
    used = _api(site_client, demo_site, RESPONSIBLE, "/api/v1/versions/V-0019/experiments")
    assert re.findall(r'<li><a href="/experiments/([^"]+)">', v19) == [e["id"] for e in used]
    v17 = site_client.get("/data/versions/V-0017").text  # the compliance exception on it
    force = _api(site_client, demo_site, RESPONSIBLE, "/api/v1/versions/V-0017/in-force")
    assert [e["id"] for e in force["exceptions"]] == ["EXC-0002"]
    for table, key in (("exceptions", "exceptions"), ("grants", "grants")):
        shown = _group(rf'id="{table}">.*?<tbody>(.*?)</tbody>', v17)
        assert re.findall(r"<tr><td>([A-Z]+-\d{4})</td>", shown) == [x["id"] for x in force[key]]


def test_batch_reports_on_the_version_page_are_the_stored_ones(site_client, demo_site) -> None:  # type: ignore[no-untyped-def]
    web_login(site_client, demo_site.token[RESPONSIBLE])
    page = site_client.get("/data/versions/V-0022").text
    quality = _api(site_client, demo_site, RESPONSIBLE, "/api/v1/versions/V-0022/quality")
    assert [q["batch"]["id"] for q in quality["batches"]] == ["B-0027", "B-0031", "B-0034"]
    assert quality["union"]["records"] == 120
    for part in quality["batches"]:
        batch = part["batch"]["id"]
        report = _api(site_client, demo_site, RESPONSIBLE, f"/api/v1/batches/{batch}/report")
        assert part["report"] == report
        table = _group(rf'id="gates-table-{batch}">(.*?)</table>', page)
        rows = re.findall(r'<th scope="row">([^<]+)</th><td>[^<]*</td><td class="num">([^<]+)</td>',
                          table)
        assert rows == [(g["metric"], "undefined" if g["observed"] is None
                         else f"{g['observed']:.6g}") for g in report["gates"]]
        assert f'id="gates-{batch}"' in page  # its chart: each metric against its threshold


def test_unknown_version_is_a_404_page_naming_it(site_client, demo_site) -> None:  # type: ignore[no-untyped-def]
    web_login(site_client, demo_site.token[RESPONSIBLE])
    page = site_client.get("/data/versions/V-9999")
    assert page.status_code == 404
    assert "V-9999" in page.text and "Not found (404)" in page.text
    for read in ("quality", "in-force", "experiments"):
        answer = site_client.get(f"/api/v1/versions/V-9999/{read}", headers={
            "Authorization": f"Bearer {demo_site.token[RESPONSIBLE]}"})
        assert answer.status_code == 404 and "V-9999" in answer.json()["error"]


def test_the_accountable_person_approves_the_release_and_nobody_else(fresh_site) -> None:  # type: ignore[no-untyped-def]
    from dataflywheel.flows.data.versions import get_version
    from dataflywheel.flows.workspace import open_workspace

    client, site = fresh_site
    candidate = make_candidate(site.settings)
    web_login(client, site.token[RESPONSIBLE])
    page = client.get(f"/data/versions/{candidate}")
    api = _api(client, site, RESPONSIBLE, f"/api/v1/versions/{candidate}")
    assert _gate_rows(page.text) == [(c["code"], c["met"], c["problems"]) for c in api["gate"]]
    assert [code for code, met, _ in _gate_rows(page.text) if not met] == ["f"]
    assert re.search(r'id="approve" disabled', page.text)
    assert "Only the Accountable person for training_set_version_release may" in page.text
    refused = client.post(f"/data/versions/{candidate}/release",
                          data={"csrf": csrf_of(page.text)}, follow_redirects=False)
    assert refused.status_code == 403 and "Not allowed (403)" in refused.text
    with open_workspace(site.settings) as ws:
        assert get_version(ws, candidate)[0].state.value == "candidate"

    web_login(client, site.token[ACCOUNTABLE])
    page = client.get(f"/data/versions/{candidate}")
    assert 'id="approve">' in page.text and 'id="approve" disabled' not in page.text
    done = client.post(f"/data/versions/{candidate}/release",
                       data={"csrf": csrf_of(page.text)}, follow_redirects=False)
    assert done.status_code == 303
    assert done.headers["location"].startswith(f"/data/versions/{candidate}?notice=")
    after = client.get(done.headers["location"])
    assert "is frozen (manifest" in after.text and 'data-state="frozen"' in after.text
    with open_workspace(site.settings) as ws:
        frozen = get_version(ws, candidate)[0]
        assert (frozen.state.value, frozen.approved_by_id) == ("frozen", ACCOUNTABLE)
        assert ("version.freeze", ACCOUNTABLE) in _audit_actions(ws, candidate)


def test_the_accountable_person_rejects_the_release_and_nobody_else(fresh_site) -> None:  # type: ignore[no-untyped-def]
    from dataflywheel.flows.workspace import open_workspace

    client, site = fresh_site
    candidate = make_candidate(site.settings)
    web_login(client, site.token[RESPONSIBLE])
    page = client.get(f"/data/versions/{candidate}")
    form = {"csrf": csrf_of(page.text), "reason": "redeliver B-0032"}
    refused = client.post(f"/data/versions/{candidate}/reject", data=form, follow_redirects=False)
    assert refused.status_code == 403
    web_login(client, site.token[ACCOUNTABLE])
    page = client.get(f"/data/versions/{candidate}")
    empty = client.post(f"/data/versions/{candidate}/reject",
                        data={"csrf": csrf_of(page.text), "reason": ""}, follow_redirects=False)
    assert empty.status_code == 400
    done = client.post(f"/data/versions/{candidate}/reject",
                       data={"csrf": csrf_of(page.text), "reason": "redeliver B-0032"},
                       follow_redirects=False)
    assert done.status_code == 303
    after = client.get(done.headers["location"]).text
    assert "was rejected: it is abandoned" in after and 'data-state="abandoned"' in after
    with open_workspace(site.settings) as ws:
        assert _audit_actions(ws, candidate)[-1] == ("version.reject", ACCOUNTABLE)


def _audit_actions(ws: Any, record_id: str) -> list[tuple[str, str]]:
    from sqlalchemy import select

    from dataflywheel.store.tables.audit import AuditEntryRow

    with ws.db.session() as s:
        rows = s.execute(select(AuditEntryRow.action, AuditEntryRow.actor).where(
            AuditEntryRow.record_id == record_id).order_by(AuditEntryRow.seq)).all()
    return [(a, actor.removeprefix("token:")) for a, actor in rows]


def test_a_person_of_another_project_is_refused_its_data_and_runs(site_client, demo_site) -> None:  # type: ignore[no-untyped-def]
    web_login(site_client, demo_site.token["maya.ortiz"])  # a data engineer of P-ORAL only
    own = site_client.get("/data")
    assert own.status_code == 200 and "<h1>Data: P-ORAL</h1>" in own.text
    for path in (f"/data?project={PROJECT}", "/data/versions/V-0019",
                 f"/experiments?project={PROJECT}", "/experiments?version=V-0019",
                 "/experiments/EXP-0006", "/experiments/compare?a=EXP-0006&b=EXP-0005"):
        page = site_client.get(path)
        assert page.status_code == 403, path
        assert "maya.ortiz may not" in html.unescape(page.text), path
