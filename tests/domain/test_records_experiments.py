"""Experiment records: reproducibility context, finite metrics, usage of versions, error samples."""

from __future__ import annotations

import math
from datetime import UTC, datetime, timedelta

import pytest
from pydantic import ValidationError

from dataflywheel.domain.records.experiment import (
    REPRODUCIBILITY_FIELDS, ErrorSample, Experiment, ExperimentKind, ExperimentVersion,
)
from dataflywheel.domain.states import VersionState

NOW = datetime(2026, 11, 23, 9, 30, tzinfo=UTC)


def _experiment(**changes: object) -> Experiment:
    fields: dict[str, object] = dict(
        id="EXP-0001", title="SFT on k12@3", kind="formal", model_version="tutor-7b-r4",
        started_at=NOW,
    )
    return Experiment.model_validate(fields | changes)


def test_missing_reproducibility_lists_every_unset_field_in_order() -> None:
    exp = _experiment()
    assert exp.kind is ExperimentKind.FORMAL
    assert exp.missing_reproducibility() == list(REPRODUCIBILITY_FIELDS)
    assert REPRODUCIBILITY_FIELDS == (
        "runtime_env", "container_image", "dependency_lock", "hardware_profile",
        "cuda_driver", "random_seed", "determinism_flags",
    )


def test_complete_context_has_nothing_missing_and_seed_zero_counts() -> None:
    exp = _experiment(
        runtime_env={"python": "3.11.9", "os": "linux"}, container_image="ghcr.io/x/train:1",
        dependency_lock="sha256:" + "0" * 64, hardware_profile={"gpu": "H100"},
        cuda_driver="550.54", random_seed=0, determinism_flags={"cudnn.deterministic": True},
    )
    assert exp.missing_reproducibility() == []
    assert _experiment(container_image="", runtime_env={}).missing_reproducibility()[:2] == [
        "runtime_env", "container_image",
    ]


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"kind": "casual"}, "kind\n  Input should be 'formal' or 'exploratory'"),
        ({"metrics": {"acc": math.nan}}, "metrics.acc\n  Input should be a finite number"),
        ({"metrics": {"acc": "high"}}, "metrics.acc\n  Input should be a valid number"),
        ({"model_version": ""}, "model_version\n  String should have at least 1 character"),
        ({"ended_at": NOW - timedelta(seconds=1)}, "ended_at 2026-11-23T09:29:59+00:00 is before"),
        ({"baseline_experiment_id": "EXP-0001"}, "an experiment cannot be its own baseline"),
        ({"id": "E1"}, "id\n  String should match pattern '^EXP-[0-9]{4,}$'"),
        ({"random_seed": 2**63}, "random_seed\n  Input should be less than 9223372036854775808"),
        ({"state": "paused"}, "state\n  Input should be 'running', 'completed' or 'failed'"),
    ],
)
def test_bad_experiments_are_refused(changes: dict[str, object], message: str) -> None:
    with pytest.raises(ValidationError) as info:
        _experiment(**changes)
    assert message in str(info.value)


def test_usage_marks_a_candidate() -> None:
    use = ExperimentVersion(experiment_id="EXP-0001", version_id="V-1",
                            version_state=VersionState.CANDIDATE)
    assert use.used_candidate
    assert not ExperimentVersion(experiment_id="EXP-0001", version_id="V-1",
                                 version_state="frozen", role="eval").used_candidate
    expected = "role\n  Input should be 'train', 'validation' or 'eval'"
    with pytest.raises(ValidationError, match=expected):
        ExperimentVersion(experiment_id="EXP-0001", version_id="V-1", version_state="frozen",
                          role="test")  # type: ignore[arg-type]


def test_error_sample_needs_record_and_category() -> None:
    with pytest.raises(ValidationError) as info:
        ErrorSample(id="ES-1", experiment_id="EXP-0001", record_id="", category="")
    text = str(info.value)
    assert "record_id\n  String should have at least 1 character" in text
    assert "category\n  String should have at least 1 character" in text
