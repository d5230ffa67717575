"""Logging experiments: version policy, reproducibility, bad input, nothing half-written."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest
from exp_helpers import repro, spec_dict
from sqlalchemy import func, select

from dataflywheel.errors import BadInput, NotFound, PolicyViolation
from dataflywheel.flows.experiments.experiment_read import experiment_detail, list_experiments
from dataflywheel.flows.experiments.runs import log_experiment, parse_create
from dataflywheel.flows.workspace import Workspace


def _counts(ws: Workspace) -> dict[str, int]:
    from dataflywheel.store.tables.audit import AuditEntryRow
    from dataflywheel.store.tables.experiments import (
        ErrorSampleRow,
        ExperimentRow,
        ExperimentVersionRow,
    )

    with ws.db.session() as s:
        return {t.__tablename__: s.scalar(select(func.count()).select_from(t)) or 0
                for t in (ExperimentRow, ExperimentVersionRow, ErrorSampleRow, AuditEntryRow)}


def _log(ws: Workspace, **changes: Any):  # type: ignore[no-untyped-def]
    return log_experiment(ws, parse_create(spec_dict(**changes)))


def _refused(ws: Workspace, error: type[Exception], **changes: Any) -> str:
    before = _counts(ws)
    with pytest.raises(error) as info:
        _log(ws, **changes)
    assert _counts(ws) == before, "a refused experiment must write nothing"
    return str(info.value)


def test_formal_experiment_on_frozen_version_is_recorded_and_audited(lab: Workspace) -> None:
    before = _counts(lab)
    logged = _log(lab, error_samples=[{"record_id": "gsm8k-17", "category": "geometry"},
                                      {"record_id": "gsm8k-99", "category": "ratio"}])
    exp = logged.experiment
    assert exp.id == "EXP-0001" and exp.state.value == "completed" and exp.ended_at is not None
    assert [(u.version_id, u.role.value, u.version_state.value) for u in logged.versions] == [
        ("gsm-v1", "eval", "frozen")]
    assert logged.error_sample_count == 2 and logged.issue is None and logged.deltas == []
    after = _counts(lab)
    assert after["experiments"] == 1 and after["experiment_versions"] == 1
    assert after["error_samples"] == 2
    assert after["audit_entries"] - before["audit_entries"] == 3  # experiment, use, sample set
    detail = experiment_detail(lab, "EXP-0001")
    assert detail["versions"][0]["label"] == "gsm@1"
    assert detail["error_samples"] == {"count": 2, "by_category": {"geometry": 1, "ratio": 1}}
    assert detail["missing_reproducibility"] == []
    assert [e.id for e in list_experiments(lab, kind="formal")] == ["EXP-0001"]


def test_formal_experiment_on_candidate_version_is_refused(lab: Workspace) -> None:
    message = _refused(lab, PolicyViolation, versions=[{"version_id": "gsm-cand"}])
    assert message == (
        "formal experiment 'gsm8k eval, sft-7b' may not use gsm-cand (candidate, not frozen); "
        "field 'versions'; expected frozen versions that are not under a quality exception. "
        "Kept: nothing was recorded. "
        "Next: freeze the version first, or log the run with --kind exploratory")


def test_formal_experiment_on_quality_exception_version_is_refused(lab: Workspace) -> None:
    message = _refused(lab, PolicyViolation,
                       versions=[{"version_id": "gsm-v1"}, {"version_id": "gsm-exc"},
                                 {"version_id": "gsm-old"}])
    assert message.startswith(
        "formal experiment 'gsm8k eval, sft-7b' may not use "
        "gsm-exc (experimental: frozen under a quality exception or past a condition its "
        "scenario skips); gsm-old (archived, not frozen);")


def test_exploratory_experiment_may_use_a_candidate_and_keeps_it_marked(lab: Workspace) -> None:
    logged = _log(lab, kind="exploratory", versions=[{"version_id": "gsm-cand"},
                                                     {"version_id": "gsm-exc", "role": "eval"}],
                  cuda_driver=None, random_seed=None, container_image=None)
    assert [(u.version_id, u.used_candidate) for u in logged.versions] == [
        ("gsm-cand", True), ("gsm-exc", False)]
    detail = experiment_detail(lab, logged.experiment.id)
    assert detail["experiment"]["kind"] == "exploratory"
    assert detail["missing_reproducibility"] == ["container_image", "cuda_driver", "random_seed"]


def test_no_experiment_may_use_a_withdrawn_version(lab: Workspace) -> None:
    from dataflywheel.domain.records.data import DatasetVersion
    from dataflywheel.domain.states import VersionState
    from dataflywheel.flows.issues.lifecycle import open_issue
    from dataflywheel.store.repositories.data import DatasetVersions

    issue = open_issue(lab, title="PII found in gsm@5", severity="P1", source="quality_check",
                       project_id="P-TEST")
    at = datetime(2026, 11, 3, tzinfo=UTC)
    with lab.db.unit_of_work() as s:
        DatasetVersions(s).add(DatasetVersion(
            id="gsm-wd", dataset_id="gsm", number=5, state=VersionState.WITHDRAWN,
            manifest_sha256="5" * 64, frozen_at=at, withdrawn_at=at, withdrawn_reason="PII",
            withdrawn_issue_id=issue.id, created_by_id="data-engineer"))
    message = _refused(lab, PolicyViolation, kind="exploratory",
                       versions=[{"version_id": "gsm-wd"}])
    assert message.startswith("exploratory experiment 'gsm8k eval, sft-7b' may not use "
                              "gsm-wd (withdrawn); field 'versions'; expected candidate, frozen or archived versions")


def test_formal_experiment_without_reproducibility_lists_every_missing_field(
        lab: Workspace) -> None:
    message = _refused(lab, PolicyViolation, runtime_env=None, cuda_driver="",
                       determinism_flags={}, random_seed=None)
    assert message == (
        "formal experiment 'gsm8k eval, sft-7b' lacks reproducibility context: runtime_env, "
        "cuda_driver, random_seed, determinism_flags; field 'reproducibility'; expected all of "
        "runtime_env, container_image, dependency_lock, hardware_profile, cuda_driver, "
        "random_seed, determinism_flags; got 'runtime_env, cuda_driver, random_seed, "
        "determinism_flags missing'. Kept: nothing was recorded. Next: flywheel experiments "
        "capture-env --json > env.json; then pass --env env.json with --container-image, --seed "
        "and --determinism")


def test_experiment_naming_a_missing_version_is_refused(lab: Workspace) -> None:
    message = _refused(lab, NotFound, versions=[{"version_id": "gsm-v1"},
                                                {"version_id": "gsm-v9"}])
    assert message == ("dataset version gsm-v9 does not exist; field 'versions'. "
                       "Kept: nothing was recorded. Next: flywheel versions list")


@pytest.mark.parametrize(("changes", "expected"), [
    ({"project_id": "P-NONE"}, "project P-NONE does not exist; field 'project'"),
    ({"owner_id": "nobody"}, "person nobody does not exist; field 'owner'"),
    ({"baseline_experiment_id": "EXP-0042"},
     "baseline experiment EXP-0042 does not exist; field 'baseline'"),
])
def test_missing_parents_are_refused(lab: Workspace, changes: dict[str, Any],
                                     expected: str) -> None:
    assert _refused(lab, NotFound, **changes).startswith(expected + ". Kept: nothing was recorded")


def test_bad_error_samples_are_refused(lab: Workspace) -> None:
    twice = [{"record_id": "r1", "category": "a"}, {"record_id": "r1", "category": "b"}]
    assert _refused(lab, BadInput, error_samples=twice) == (
        "error sample 2 repeats record 'r1'; field 'error_samples'; expected each record id once. "
        "Kept: nothing was recorded")
    foreign = [{"record_id": "r1", "category": "a", "version_id": "gsm-v2"}]
    assert _refused(lab, BadInput, error_samples=foreign).startswith(
        "error sample 1 names version gsm-v2, which the experiment does not use")
    assert _refused(lab, BadInput, versions=[{"version_id": "gsm-v1"},
                                             {"version_id": "gsm-v1"}]).startswith(
        "a version is named twice")


@pytest.mark.parametrize(("changes", "field", "expected"), [
    ({"kind": "official"}, "kind", "Input should be 'formal' or 'exploratory'"),
    ({"metrics": {"accuracy": float("nan")}}, "metrics.accuracy", "Input should be a finite number"),
    ({"versions": []}, "versions", "List should have at least 1 item after validation, not 0"),
    ({"colour": "red"}, "colour", "Extra inputs are not permitted"),
])
def test_malformed_spec_names_the_field(changes: dict[str, Any], field: str,
                                        expected: str) -> None:
    with pytest.raises(BadInput) as info:
        parse_create(spec_dict(**changes))
    assert info.value.field == field and info.value.expected == expected
    assert str(info.value).startswith("invalid experiment")


def test_times_out_of_order_or_naive_are_refused(lab: Workspace) -> None:
    start = datetime(2026, 11, 20, 10, tzinfo=UTC)
    message = _refused(lab, BadInput, started_at=start, ended_at=datetime(2026, 11, 20, 9, tzinfo=UTC))
    assert message.startswith("invalid experiment") and "is before started_at" in message
    assert _refused(lab, BadInput, started_at=datetime(2026, 11, 20, 10)).startswith(
        "a time must carry a time zone; field 'started_at'")


def test_repro_fixture_is_complete() -> None:
    from dataflywheel.domain.records.experiment import REPRODUCIBILITY_FIELDS

    assert set(repro()) == set(REPRODUCIBILITY_FIELDS)


def test_running_experiment_finishes_once_and_is_then_compared(lab: Workspace) -> None:
    from dataflywheel.errors import IllegalTransition
    from dataflywheel.flows.experiments.runs import finish_experiment

    base = _log(lab, metrics={"accuracy": 0.8}).experiment
    running = _log(lab, state="running", baseline_experiment_id=base.id, metrics={},
                   error_samples=[{"record_id": "q1", "category": "money"}]).experiment
    assert running.ended_at is None
    with pytest.raises(BadInput, match="error sample 2 repeats record 'q1'"):
        finish_experiment(lab, running.id, metrics={"accuracy": 0.7},
                          error_samples=parse_create(spec_dict(error_samples=[
                              {"record_id": "q1", "category": "money"}])).error_samples)
    done = finish_experiment(lab, running.id, metrics={"accuracy": 0.7}, conclusion="worse",
                             error_samples=parse_create(spec_dict(error_samples=[
                                 {"record_id": "q2", "category": "ratio"}])).error_samples)
    assert done.experiment.state.value == "completed" and done.experiment.ended_at is not None
    assert done.error_sample_count == 2 and done.issue is not None
    assert [d.name for d in done.regressions] == ["accuracy"]
    with pytest.raises(IllegalTransition) as info:
        finish_experiment(lab, running.id, state=type(done.experiment.state)("failed"))
    assert str(info.value) == (f"experiment {running.id} cannot move from 'completed' to "
                               "'failed'; expected no move (final state)")
    with pytest.raises(BadInput, match="cannot finish experiment"):
        finish_experiment(lab, _log(lab, state="running").experiment.id,
                          metrics={"accuracy": float("inf")})
