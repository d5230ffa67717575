"""Helpers for the Experiment Pool tests: complete specs, and the shared realdata folder."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

REPO_ROOT = Path(__file__).resolve().parents[3]
REALDATA = REPO_ROOT.parent / "shared" / "realdata"


def realdata_or_skip(name: str) -> Path:
    path = REALDATA / name
    if not path.exists():
        pytest.skip(f"{path} is absent (shared/realdata is not part of the repository)")
    return path


def repro(**changes: Any) -> dict[str, Any]:
    """A complete reproducibility context (every DESIGN §5 field)."""
    fields: dict[str, Any] = {
        "runtime_env": {"python": "3.11.9", "os": "Linux-6.8", "packages": {"torch": "2.5.1"}},
        "container_image": "registry.example/train@sha256:" + "ab" * 32,
        "dependency_lock": "sha256:" + "cd" * 32 + " uv.lock",
        "hardware_profile": {"gpus": [{"name": "NVIDIA H100 80GB HBM3"}], "gpu_count": 8},
        "cuda_driver": "550.54.15 (CUDA 12.4)", "random_seed": 1234,
        "determinism_flags": {"torch.use_deterministic_algorithms": True,
                           "CUBLAS_WORKSPACE_CONFIG": ":4096:8"}}
    fields.update(changes)
    return fields


def spec_dict(**changes: Any) -> dict[str, Any]:
    """A formal experiment on gsm-v1, complete, unless changed."""
    fields: dict[str, Any] = dict(
        title="gsm8k eval, sft-7b", kind="formal", model_version="sft-7b@2026-11-20",
        versions=[{"version_id": "gsm-v1", "role": "eval"}], project_id="P-TEST",
        owner_id="algorithm-engineer", params={"temperature": 0.0, "shots": 8},
        metrics={"accuracy": 0.81, "eval_loss": 0.42}, **repro())
    fields.update(changes)
    return fields
