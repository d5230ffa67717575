"""The standard templates of Table 24-18 ship with the product, versioned, and are filed into the
knowledge base once per version."""

from __future__ import annotations

from typing import Any

from dataflywheel.domain.policies.knowledge import TABLE_24_18
from dataflywheel.flows.issues.kb_templates import install, shipped
from dataflywheel.flows.workspace import Workspace


def test_the_shipped_templates_are_the_tables_standard_templates() -> None:
    row = next(r for r in TABLE_24_18 if r.document_type == "Standard templates")
    named = [t.title.lower() for t in shipped()]
    assert named == [part.strip().lower() for part in row.recorded_content.split(",")]
    assert all(t.version == "1.0.0" and len(t.sha256) == 64 and t.body.startswith("# ")
               for t in shipped())


def test_install_files_each_version_once(team: Workspace, cli: Any) -> None:
    added = install(team)
    assert [d.title for d in added] == [
        "Dataset specification template v1.0.0", "Annotation guide template v1.0.0",
        "Quality report template v1.0.0", "Release notes template v1.0.0"]
    assert all(d.kind.value == "template" for d in added)
    assert install(team) == []
    listed = cli("kb", "templates", "--json").json()
    assert [t["name"] for t in listed] == ["dataset-specification", "annotation-guide",
                                           "quality-report", "release-notes"]
    again = cli("kb", "templates", "--install")
    assert again.code == 0 and "filed 0 template(s)" in again.out
