"""Experiment Pool records: experiments, the data versions they used, their error samples.

Guarantees: metrics are finite numbers; an experiment never ends before it started and never names
itself as its baseline; `missing_reproducibility()` lists exactly the reproducibility-context fields
(DESIGN §5) that are unset. Whether a formal experiment may use a given version is policy (flows).
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

from pydantic import Field, FiniteFloat, model_validator

from dataflywheel.domain.records.base import Record, utcnow
from dataflywheel.domain.records.people import ID_PATTERN
from dataflywheel.domain.states import ExperimentState, VersionState

REPRODUCIBILITY_FIELDS = (
    "runtime_env", "container_image", "dependency_lock", "hardware_profile",
    "cuda_driver", "random_seed", "determinism_flags",
)


class ExperimentKind(StrEnum):
    """Formal runs count as evidence and use frozen versions only; exploratory ones need not."""

    FORMAL = "formal"
    EXPLORATORY = "exploratory"


class UsageRole(StrEnum):
    TRAIN = "train"
    VALIDATION = "validation"
    EVAL = "eval"


class Experiment(Record):
    """One training or evaluation run, with what is needed to reproduce it."""

    id: str = Field(pattern=r"^EXP-[0-9]{4,}$")
    title: str = Field(min_length=1, max_length=300)
    kind: ExperimentKind
    state: ExperimentState = ExperimentState.RUNNING
    project_id: str | None = None
    owner_id: str | None = None
    model_version: str = Field(min_length=1, max_length=200)
    baseline_experiment_id: str | None = None
    params: dict[str, Any] = Field(default_factory=dict)
    metrics: dict[str, FiniteFloat] = Field(default_factory=dict)
    conclusion: str | None = None
    runtime_env: dict[str, Any] | None = None
    container_image: str | None = None
    dependency_lock: str | None = None
    hardware_profile: dict[str, Any] | None = None
    cuda_driver: str | None = None
    random_seed: int | None = Field(default=None, ge=-(2**63), lt=2**63)
    determinism_flags: dict[str, Any] | None = None
    mlflow_run_id: str | None = None
    mlflow_tracking_uri: str | None = None
    started_at: datetime = Field(default_factory=utcnow)
    ended_at: datetime | None = None

    @model_validator(mode="after")
    def _consistent(self) -> Experiment:
        if self.ended_at is not None and self.ended_at < self.started_at:
            raise ValueError(
                f"ended_at {self.ended_at.isoformat()} is before "
                f"started_at {self.started_at.isoformat()}"
            )
        if self.baseline_experiment_id == self.id:
            raise ValueError("an experiment cannot be its own baseline")
        return self

    def missing_reproducibility(self) -> list[str]:
        """The reproducibility-context fields that are unset or empty, in DESIGN order."""
        missing = []
        for name in REPRODUCIBILITY_FIELDS:
            value = getattr(self, name)
            if value is None or (isinstance(value, str | dict) and not value):
                missing.append(name)
        return missing


class ExperimentVersion(Record):
    """Experiment `experiment_id` used version `version_id`; `version_state` is as it was then."""

    experiment_id: str
    version_id: str
    role: UsageRole = UsageRole.TRAIN
    version_state: VersionState

    @property
    def used_candidate(self) -> bool:
        """True when the version was still a candidate (allowed for exploratory runs only)."""
        return self.version_state is VersionState.CANDIDATE


class ErrorSample(Record):
    """A record the model got wrong in an experiment, with its category (e.g. question type)."""

    id: str = Field(pattern=ID_PATTERN)
    experiment_id: str
    record_id: str = Field(min_length=1, max_length=500)
    category: str = Field(min_length=1, max_length=200)
    version_id: str | None = None
    detail: dict[str, Any] = Field(default_factory=dict)
