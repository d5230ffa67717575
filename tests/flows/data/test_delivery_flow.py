"""Deliveries: stored byte for byte first, checked under the pinned contract, passed or failed;
a failed batch opens a tiered issue with its failing examples; bad input stores nothing."""

from __future__ import annotations

from pathlib import Path

import pytest
from datapool_helpers import CONTRACT, audit_count, deliver_clean, records, setup_pool, write_jsonl

from dataflywheel.domain.records.issue import Severity
from dataflywheel.domain.states import BatchState
from dataflywheel.errors import BadInput, Conflict, NotFound
from dataflywheel.flows.data.delivery import deliver
from dataflywheel.flows.workspace import Workspace
from dataflywheel.store.repositories.data import Batches
from dataflywheel.store.repositories.issues import Issues


def _objects(ws: Workspace) -> list[str]:
    return list(ws.blobs.iter_objects())


def test_clean_delivery_passes_with_its_report_stored(team: Workspace, tmp_path: Path) -> None:
    pool = setup_pool(team)
    path = tmp_path / "part-1.jsonl"
    result = deliver_clean(pool, path, "a", seed=1)
    batch = result.batch
    assert batch.state is BatchState.PASSED and batch.row_count == 20
    assert batch.contract_version_id == CONTRACT and batch.nonconforming_count == 0
    assert [f.name for f in result.files] == ["part-1.jsonl"] and result.files[0].row_count == 20
    with team.blobs.open(result.files[0].sha256) as stored:
        assert stored.read() == path.read_bytes()
    assert batch.report_sha256 is not None and team.blobs.exists(batch.report_sha256)
    with team.blobs.open(batch.report_sha256) as report:
        text = report.read().decode()
    assert '"file": "part-1.jsonl"' in text and str(tmp_path) not in text
    assert result.issue is None
    assert audit_count(team, "batch.passed", batch.id) == 1


def test_failed_batch_opens_a_tiered_issue_with_examples(team: Workspace, tmp_path: Path) -> None:
    pool = setup_pool(team)
    result = deliver_clean(pool, tmp_path / "dups.jsonl", "d", seed=2, dup_every=4)
    batch = result.batch
    assert batch.state is BatchState.FAILED
    assert "duplicate_rate" in (batch.failure_reason or "")
    # 5 of 20 records repeat the first one: 25 % non-conforming in a formal training set → P1
    assert batch.nonconforming_count == 5
    issue = result.issue
    assert issue is not None and issue.severity is Severity.P1
    assert "dups.jsonl:4 record d-3" in issue.description
    with team.db.session() as s:
        assert [i.id for i in Issues(s).linked_to(batch_id=batch.id)] == [issue.id]


def test_blank_heavy_training_batch_is_p0(team: Workspace, tmp_path: Path) -> None:
    pool = setup_pool(team)
    result = deliver_clean(pool, tmp_path / "blank.jsonl", "b", seed=3, blank_every=2)
    assert result.batch.state is BatchState.FAILED
    assert result.issue is not None and result.issue.severity is Severity.P0  # 50 % > 30 %


def test_redelivery_resumes_a_batch_left_in_checking(team: Workspace, tmp_path: Path) -> None:
    from dataflywheel.flows.data import delivery

    pool = setup_pool(team)
    path = write_jsonl(tmp_path / "x.jsonl", records("x", 10, seed=4))
    with team.db.session() as s:
        template = delivery._template(
            s, [delivery._input(path)], dataset=pool.dataset, contract_version_id=CONTRACT,
            requirement_id=pool.requirement, delivered_by="data-engineer", annotator_ids=None,
            guide_version=None, now=delivery.utcnow())
    ref = team.blobs.put_file(path)
    stuck, _ = delivery._record(team, template, [(delivery._input(path), ref.sha256, ref.size)])
    assert stuck.state is BatchState.CHECKING  # as if the process died here
    again = deliver(team, [path], dataset=pool.dataset, contract_version_id=CONTRACT,
                    requirement_id=pool.requirement, delivered_by="data-engineer", engine="single")
    assert again.batch.id == stuck.id and again.batch.state is BatchState.PASSED
    with team.db.session() as s:
        assert len(Batches(s).list()) == 1


BAD = [
    ("missing", NotFound, ("{tmp}/nope.jsonl: file not found. Kept: nothing was stored. Next: check "
     "the path and retry")),
    ("dotdot", BadInput, ("{tmp}/sub/../x.jsonl: a delivered path may not contain '..'; expected a "
     "path without parent-directory parts. Kept: nothing was stored")),
    ("long", BadInput, "{tmp}/" + "n" * 250 + ".jsonl: file name is 256 bytes long; expected at "
     "most 255 bytes. Kept: nothing was stored"),
]


@pytest.mark.parametrize(("case", "error", "message"), BAD, ids=[b[0] for b in BAD])
def test_bad_paths_are_refused_and_nothing_is_stored(
    team: Workspace, tmp_path: Path, case: str, error: type[Exception], message: str,
) -> None:
    pool = setup_pool(team)
    write_jsonl(tmp_path / "x.jsonl", records("x", 5, seed=5))
    path = {"missing": tmp_path / "nope.jsonl", "dotdot": Path(f"{tmp_path}/sub/../x.jsonl"),
            "long": tmp_path / ("n" * 250 + ".jsonl")}[case]
    before = _objects(team)
    with pytest.raises(error) as info:
        deliver(team, [path], dataset=pool.dataset, contract_version_id=CONTRACT,
                requirement_id=pool.requirement, delivered_by="data-engineer", engine="single")
    assert str(info.value) == message.format(tmp=tmp_path)
    assert _objects(team) == before
    with team.db.session() as s:
        assert Batches(s).list() == []


def _refused(team: Workspace, tmp_path: Path, **overrides: str) -> Exception:
    pool = setup_pool(team)
    path = write_jsonl(tmp_path / "x.jsonl", records("x", 5, seed=6))
    args = {"dataset": pool.dataset, "contract_version_id": CONTRACT,
            "requirement_id": pool.requirement, "delivered_by": "data-engineer"} | overrides
    before = _objects(team)
    with pytest.raises(Exception) as info:
        deliver(team, [path], engine="single", **args)
    assert _objects(team) == before
    with team.db.session() as s:
        assert Batches(s).list() == []
    return info.value


def test_unknown_contract_version_is_refused(team: Workspace, tmp_path: Path) -> None:
    exc = _refused(team, tmp_path, contract_version_id="cleaned-raw-pool@9.9.9")
    assert isinstance(exc, NotFound)
    assert str(exc).startswith("contract version cleaned-raw-pool@9.9.9 does not exist")


def test_requirement_in_the_wrong_state_is_refused(team: Workspace, tmp_path: Path) -> None:
    from dataflywheel.domain.records.demand import Priority, RequirementKind
    from dataflywheel.flows.demand.requirements import submit_requirement

    req = submit_requirement(team, title="not yet triaged", project_id="P-TEST",
                             requester_id="algorithm-engineer", kind=RequirementKind.NEW_DATA,
                             priority=Priority.P2)
    exc = _refused(team, tmp_path, requirement_id=req.id)
    assert isinstance(exc, Conflict)  # the requirement's state: 409 over HTTP, exit 2 locally
    assert str(exc) == (
        f"requirement {req.id} is submitted: it takes no deliveries; expected a committed or "
        f"in-progress requirement. Kept: nothing was stored. Next: flywheel requirements show {req.id}")


def test_unknown_deliverer_is_refused(team: Workspace, tmp_path: Path) -> None:
    exc = _refused(team, tmp_path, delivered_by="v-nobody")
    assert str(exc) == ("deliverer 'v-nobody' is neither a person nor a vendor; field 'from'. "
                        "Kept: nothing was stored. Next: flywheel people list")


def test_unknown_dataset_is_refused(team: Workspace, tmp_path: Path) -> None:
    exc = _refused(team, tmp_path, dataset="nope")
    assert str(exc) == "dataset 'nope' does not exist. Next: flywheel datasets list"


def test_vendor_delivery_names_the_vendor(team: Workspace, tmp_path: Path) -> None:
    from dataflywheel.domain.records.people import Vendor
    from dataflywheel.flows.governance.people import add_vendor

    pool = setup_pool(team)
    add_vendor(team, Vendor(id="v-tagwise", name="TagWise"))
    _onboard(team, "v-tagwise")
    result = deliver_clean(pool, tmp_path / "v.jsonl", "v", seed=7, by="v-tagwise")
    assert result.batch.delivered_by_vendor_id == "v-tagwise"
    assert result.batch.delivered_by_person_id is None


def _onboard(team: Workspace, vendor: str, *, passed_test: bool = True) -> None:
    from dataflywheel.flows.vendors import record

    for kind in ("confidentiality", "compliance", "tool_training"):
        record(team, vendor, kind, by="annotation-engineer")
    record(team, vendor, "test_task", score=0.97 if passed_test else 0.5, passed=passed_test,
           by="annotation-engineer")


def test_a_vendor_not_onboarded_delivers_nothing(team: Workspace, tmp_path: Path) -> None:
    from dataflywheel.domain.records.people import Vendor
    from dataflywheel.errors import PolicyViolation
    from dataflywheel.flows.governance.people import add_vendor

    add_vendor(team, Vendor(id="v-new", name="New vendor"))
    exc = _refused(team, tmp_path, delivered_by="v-new")
    assert isinstance(exc, PolicyViolation)
    assert str(exc) == (
        "vendor v-new may not deliver work: confidentiality not confirmed; compliance not "
        "confirmed; tool_training not confirmed; test_task not confirmed; expected an onboarded "
        "vendor (Table 24-21). Kept: nothing was stored. Next: flywheel vendors scorecard v-new")


def test_a_vendor_that_failed_its_test_task_delivers_nothing(team: Workspace,
                                                             tmp_path: Path) -> None:
    from dataflywheel.domain.records.people import Vendor
    from dataflywheel.flows.governance.people import add_vendor

    add_vendor(team, Vendor(id="v-new", name="New vendor"))
    _onboard(team, "v-new", passed_test=False)
    exc = _refused(team, tmp_path, delivered_by="v-new")
    assert "test_task not passed" in str(exc) and "confidentiality" not in str(exc)


def test_an_offboarded_vendor_delivers_nothing(team: Workspace, tmp_path: Path) -> None:
    from dataflywheel.domain.records.people import Vendor
    from dataflywheel.flows.governance.people import add_vendor
    from dataflywheel.flows.vendors import offboard_vendor

    add_vendor(team, Vendor(id="v-gone", name="Gone vendor"))
    _onboard(team, "v-gone")
    offboard_vendor(team, "v-gone", reason="contract ended",
                    deletion_confirmation="deletion certificate DC-1", by="annotation-engineer")
    exc = _refused(team, tmp_path, delivered_by="v-gone")
    assert "vendor v-gone may not deliver work: the vendor is offboarded" in str(exc)
