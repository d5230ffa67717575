"""Annotation-guide flows on a real workspace (SQLite and PostgreSQL): add, change with notices
and a change record, FAQ, reads, diff; refusals store nothing."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from guide_helpers import guide_doc, guide_text, next_version
from sqlalchemy import func, select

from dataflywheel.domain.records.contract import ChangeClass
from dataflywheel.domain.records.people import Person
from dataflywheel.errors import AlreadyExists, BadInput, NotFound, PolicyViolation
from dataflywheel.flows.contracts import guides as flow
from dataflywheel.flows.governance.people import add_person, add_vendor
from dataflywheel.flows.notifications import inbox
from dataflywheel.flows.workspace import Workspace
from dataflywheel.store.tables.guides import GuideRow, GuideVersionRow

T0 = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)
AE = "annotation-engineer"


def _count(ws: Workspace, row: type) -> int:
    with ws.db.session() as s:
        return s.scalar(select(func.count()).select_from(row)) or 0


def _add(ws: Workspace) -> flow.GuideChange:
    return flow.add_guide(ws, guide_text().encode(), source="guide.md", by=AE, project_id="P-TEST",
                          now=T0)


def test_a_guide_is_kept_byte_for_byte_under_its_hash(team: Workspace) -> None:
    data = guide_text().replace("\n", "\r\n").encode()  # CRLF stays CRLF
    added = flow.add_guide(team, data, source="guide.md", by=AE, now=T0)
    v = added.version
    assert v.id == "sft-guide@1.2.0" and v.change_class is ChangeClass.INITIAL
    assert team.blobs.exists(v.sha256) and v.size == len(data)
    assert flow.read_file(team, v.id) == data
    view = flow.show(team, v.id)
    assert view.guide.id == "sft-guide" and view.text == data.decode()
    assert [e.id for e in view.version.examples] == ["EX-1", "EX-2", "EX-3"]


def test_a_compatible_change_records_who_why_and_which_examples(team: Workspace) -> None:
    _add(team)
    change = flow.change_guide(team, guide_text(next_version()).encode(), source="v13.md", by=AE,
                               now=T0 + timedelta(days=1))
    v = change.version
    assert v.change_class is ChangeClass.COMPATIBLE and v.previous_version_id == "sft-guide@1.2.0"
    assert v.author_id == AE and v.reason == "boundary of 'helpful' clarified after vendor questions"
    assert v.examples_changed == ["EX-2", "EX-4"]
    assert v.effective_from == T0 + timedelta(days=1)  # compatible: at once
    assert [vv.id for vv in flow.list_versions(team, "sft-guide")] == [
        "sft-guide@1.2.0", "sft-guide@1.3.0"]
    diff = flow.diff(team, "sft-guide@1.2.0", "sft-guide@1.3.0")
    assert diff.diff.change_class is ChangeClass.COMPATIBLE
    assert any(line.startswith("+  explanation: a repeated item") for line in diff.text_diff)


def test_every_change_is_announced_to_the_annotation_roles_and_vendor_annotators(
        team: Workspace) -> None:
    from dataflywheel.domain.records.people import Vendor

    add_vendor(team, Vendor(id="V-ACME", name="Acme Labeling"))
    add_person(team, Person(id="acme-ann-1", name="Acme annotator", vendor_id="V-ACME"))
    _add(team)
    change = flow.change_guide(team, guide_text(next_version()).encode(), source="v13.md", by=AE,
                               now=T0)
    told = sorted(n.to_person_id for n in change.notices)
    assert "acme-ann-1" in told and "quality-evaluator" in told and "data-owner" in told
    assert AE not in told  # the author is not told of their own change
    notice = inbox(team, "acme-ann-1")[0]
    assert notice.kind == "guide_change" and notice.record_id == "sft-guide@1.3.0"
    assert "EX-2, EX-4" in notice.body


def test_a_breaking_change_takes_effect_after_its_notice_days(team: Workspace) -> None:
    _add(team)
    doc = guide_doc(version="2.0.0", reason="'unhelpful' split out of the label set",
                    labels=guide_doc()["labels"][:1],
                    examples=[e for e in guide_doc()["examples"] if e["label"] == "helpful"])
    change = flow.change_guide(team, guide_text(doc).encode(), source="v2.md", by=AE, now=T0)
    assert change.version.change_class is ChangeClass.BREAKING
    assert change.version.effective_from == T0 + timedelta(days=7)
    assert change.version.examples_changed == ["EX-3"]


def test_refusals_store_nothing(team: Workspace) -> None:
    with pytest.raises(PolicyViolation, match="data-engineer may not add an annotation guide"):
        flow.add_guide(team, guide_text().encode(), source="g.md", by="data-engineer")
    with pytest.raises(BadInput, match="guide file is not UTF-8"):
        flow.add_guide(team, b"---\n\xff\n---\n", source="g.md", by=AE)
    with pytest.raises(NotFound, match="annotation guide sft-guide does not exist"):
        flow.change_guide(team, guide_text(next_version()).encode(), source="g.md", by=AE)
    assert _count(team, GuideRow) == 0 and list(team.blobs.iter_objects()) == []
    _add(team)
    with pytest.raises(AlreadyExists, match="annotation guide sft-guide already exists"):
        _add(team)
    with pytest.raises(BadInput, match="a guide change says why"):
        flow.change_guide(team, guide_text(next_version(reason=None)).encode(), source="g.md", by=AE)
    with pytest.raises(BadInput, match="a compatible change needs a minor version"):
        flow.change_guide(team, guide_text(next_version(version="1.2.1")).encode(), source="g.md",
                          by=AE)
    with pytest.raises(PolicyViolation, match="data-engineer may not change an annotation guide"):
        flow.change_guide(team, guide_text(next_version()).encode(), source="g.md",
                          by="data-engineer")
    assert _count(team, GuideVersionRow) == 1 and len(list(team.blobs.iter_objects())) == 1


def test_faq_entries_cite_the_version_they_clarify(team: Workspace) -> None:
    _add(team)
    entry = flow.add_faq(team, "sft-guide@1.2.0", question="Is a partial list helpful?",
                         answer="No: see EX-2.", asked_by="quality-evaluator", by=AE, now=T0)
    assert entry.id == "FAQ-0001" and entry.guide_version_id == "sft-guide@1.2.0"
    assert [f.id for f in flow.show(team, "sft-guide@1.2.0").faq] == ["FAQ-0001"]
    with pytest.raises(NotFound, match="guide version sft-guide@9.0.0 does not exist"):
        flow.add_faq(team, "sft-guide@9.0.0", question="q", answer="a", by=AE)
    with pytest.raises(BadInput, match="not a guide version id"):
        flow.show(team, "sft-guide")


def test_a_tampered_guide_file_is_refused_on_read(team: Workspace) -> None:
    from dataflywheel.errors import IntegrityError

    v = _add(team).version
    path = team.blobs.path_of(v.sha256)
    import os

    os.chmod(path, 0o644)
    with open(path, "ab") as f:
        f.write(b"tampered")
    with pytest.raises(IntegrityError, match="does not match its hash"):
        flow.read_file(team, v.id)
