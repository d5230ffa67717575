"""The bulk MLflow import writes what logging each run alone would write, entry for entry."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest
from exp_helpers import spec_dict
from sqlalchemy import select
from sqlalchemy.orm import Session

from dataflywheel.errors import FlywheelError
from dataflywheel.flows.experiments.experiment_import import import_experiments
from dataflywheel.flows.experiments.runs import ExperimentCreate, log_experiment_in, parse_create
from dataflywheel.flows.workspace import Workspace
from dataflywheel.store.tables.audit import AuditEntryRow
from dataflywheel.store.tables.experiments import ErrorSampleRow, ExperimentRow, ExperimentVersionRow

NOW = datetime(2026, 12, 1, 12, 0, tzinfo=UTC)


class _Rollback(Exception):
    pass


def _samples(*pairs: tuple[str, str]) -> list[dict[str, str]]:
    return [{"record_id": r, "category": c} for r, c in pairs]


def _specs() -> list[ExperimentCreate]:
    """Two versions and samples; a baseline in the batch that regresses (an issue mid-batch);
    the same run twice; an exploratory run on a candidate."""
    return [parse_create(spec_dict(**fields)) for fields in (
        {"mlflow_run_id": "r1", "versions": [{"version_id": "gsm-v1", "role": "eval"},
                                             {"version_id": "gsm-v2", "role": "train"}],
         "error_samples": _samples(("q1", "geometry"), ("q2", "percentage"))},
        {"mlflow_run_id": "r2", "baseline_experiment_id": "mlflow:r1",
         "metrics": {"accuracy": 0.5, "eval_loss": 0.42},
         "error_samples": _samples(("q1", "geometry"), ("q3", "percentage"))},
        {"mlflow_run_id": "r1", "title": "the same run again"},
        {"mlflow_run_id": "r3", "kind": "exploratory",
         "versions": [{"version_id": "gsm-cand", "role": "eval"}]},
        {"mlflow_run_id": "r4", "baseline_experiment_id": "mlflow:r2"},
    )]


def _written(s: Session, after_seq: int) -> dict[str, list[Any]]:
    entries = s.execute(select(AuditEntryRow.action, AuditEntryRow.record_kind,
                               AuditEntryRow.record_id, AuditEntryRow.before_digest,
                               AuditEntryRow.after_digest, AuditEntryRow.reason)
                        .where(AuditEntryRow.seq > after_seq).order_by(AuditEntryRow.seq))
    rows = {name: [tuple(r) for r in s.execute(select(*row.__table__.columns)
                                                .order_by(*row.__table__.primary_key))]
            for name, row in (("experiments", ExperimentRow),
                              ("uses", ExperimentVersionRow), ("samples", ErrorSampleRow))}
    # a notification's id is random (so is its digest): only its place in the log is compared
    return {"audit": [(e[0],) if e[0] == "notification.add" else tuple(e) for e in entries],
            **rows}


def _one_by_one(ws: Workspace, specs: list[ExperimentCreate], after_seq: int) -> dict[str, Any]:
    """What the import wrote before issue 24 (each run through `log_experiment_in`), rolled back."""
    seen: dict[str, str] = {}
    written: dict[str, Any] = {}
    with pytest.raises(_Rollback), ws.db.unit_of_work() as s:
        for spec in specs:
            if spec.mlflow_run_id in seen:
                continue
            ref = spec.baseline_experiment_id
            if ref and ref.startswith("mlflow:"):
                spec = spec.model_copy(update={"baseline_experiment_id": seen[ref[7:]]})
            logged = log_experiment_in(s, ws, spec, now=NOW)
            seen[str(spec.mlflow_run_id)] = logged.experiment.id
        written = _written(s, after_seq)
        raise _Rollback
    return written


def _head(ws: Workspace) -> int:
    from sqlalchemy import func

    with ws.db.session() as s:
        return int(s.scalar(select(func.max(AuditEntryRow.seq))) or 0)


def test_bulk_import_writes_what_one_by_one_logging_writes(lab: Workspace) -> None:
    specs = _specs()
    head = _head(lab)
    expected = _one_by_one(lab, specs, head)
    assert _head(lab) == head  # the reference was rolled back
    result = import_experiments(lab, specs, now=NOW)
    with lab.db.session() as s:
        assert _written(s, head) == expected
    assert [x.experiment.id for x in result.imported] == ["EXP-0001", "EXP-0002", "EXP-0003",
                                                          "EXP-0004"]
    assert result.skipped == [{"run_id": "r1", "reason": "already imported as EXP-0001"}]
    assert result.imported[1].issue is not None  # the regression opened mid-batch
    assert [a for a, *_ in expected["audit"]].count("issue.add") == 1


def test_a_refusal_after_a_regression_issue_leaves_nothing(lab: Workspace) -> None:
    specs = _specs()[:2] + [parse_create(spec_dict(mlflow_run_id="r9",
                                                   versions=[{"version_id": "gsm-nope"}]))]
    head = _head(lab)
    with pytest.raises(FlywheelError, match="MLflow run r9: dataset version gsm-nope"):
        import_experiments(lab, specs, now=NOW)
    assert _head(lab) == head
    with lab.db.session() as s:
        assert _written(s, head)["experiments"] == []


def test_runs_imported_before_are_skipped_and_ids_continue(lab: Workspace) -> None:
    import_experiments(lab, _specs()[:1], now=NOW)
    result = import_experiments(lab, _specs(), now=NOW)
    assert [x.experiment.id for x in result.imported] == ["EXP-0002", "EXP-0003", "EXP-0004"]
    assert result.skipped[0] == {"run_id": "r1", "reason": "already imported as EXP-0001"}
