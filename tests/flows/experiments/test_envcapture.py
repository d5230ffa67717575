"""capture-env: Python, OS, packages, lock hash, GPUs via nvidia-smi — and a machine without one."""

from __future__ import annotations

import hashlib
import os
import stat
import sys
from pathlib import Path

import pytest

from dataflywheel.envcapture import capture_env, dependency_lock, installed_packages


def _program(path: Path, script: str) -> str:
    path.write_text("#!/bin/sh\n" + script, encoding="utf-8")
    path.chmod(path.stat().st_mode | stat.S_IXUSR)
    return str(path)


def test_runtime_and_packages_describe_this_interpreter(tmp_path: Path) -> None:
    env = capture_env(tmp_path, nvidia_smi=None)
    assert env.runtime_env["python"] == ".".join(map(str, sys.version_info[:3]))
    assert env.runtime_env["executable"] == sys.executable
    assert env.runtime_env["packages"]["pydantic"] == installed_packages()["pydantic"]
    assert env.hardware_profile["cpu_count"] == os.cpu_count()
    assert env.not_captured == ["container_image", "random_seed", "determinism_flags"]


def test_machine_without_nvidia_smi_states_no_gpu(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PATH", str(tmp_path))  # an empty folder: no nvidia-smi anywhere
    env = capture_env(tmp_path)
    assert env.cuda_driver == "none"
    assert env.hardware_profile["gpus"] == [] and env.hardware_profile["gpu_count"] == 0
    assert env.notes == ["no GPU: nvidia-smi is not on PATH; cuda_driver recorded as 'none'"]
    assert set(env.fields()) == {"runtime_env", "dependency_lock", "hardware_profile",
                                 "cuda_driver"}


def test_gpus_and_driver_from_nvidia_smi_output(tmp_path: Path) -> None:
    smi = _program(tmp_path / "nvidia-smi", """
if [ "$1" = "" ]; then
  echo "| NVIDIA-SMI 550.54.15   Driver Version: 550.54.15   CUDA Version: 12.4 |"
else
  echo "0, NVIDIA H100 80GB HBM3, 81559, 550.54.15, GPU-aaaa"
  echo "1, NVIDIA H100 80GB HBM3, 81559, 550.54.15, GPU-bbbb"
fi
""")
    env = capture_env(tmp_path, nvidia_smi=smi)
    assert env.cuda_driver == "550.54.15 (CUDA 12.4)"
    assert env.hardware_profile["gpu_count"] == 2
    assert env.hardware_profile["gpus"][1] == {"index": 1, "name": "NVIDIA H100 80GB HBM3",
                                               "memory_mib": 81559, "driver_version": "550.54.15",
                                               "uuid": "GPU-bbbb"}
    assert env.notes == []


def test_failing_nvidia_smi_leaves_gpu_fields_unset_with_the_reason(tmp_path: Path) -> None:
    smi = _program(tmp_path / "nvidia-smi", """
echo "NVIDIA-SMI has failed because it couldn't communicate with the NVIDIA driver." >&2
exit 9
""")
    env = capture_env(tmp_path, nvidia_smi=smi)
    assert env.cuda_driver is None and "cuda_driver" not in env.fields()
    assert env.notes == [(f"{smi} exited 9 (NVIDIA-SMI has failed because it couldn't communicate "
                         "with the NVIDIA driver.); GPU fields left unset")]


def test_lock_hash_prefers_uv_lock_then_requirements_then_freeze(tmp_path: Path) -> None:
    packages = {"a": "1.0", "b": "2.0"}
    freeze = hashlib.sha256(b"a==1.0\nb==2.0\n").hexdigest()
    assert dependency_lock(tmp_path, packages) == f"sha256:{freeze} freeze"
    (tmp_path / "requirements.txt").write_text("a==1.0\n")
    (tmp_path / "requirements-dev.txt").write_text("pytest\n")
    both = hashlib.sha256(b"requirements-dev.txt\npytest\n\nrequirements.txt\na==1.0\n\n").hexdigest()
    assert dependency_lock(tmp_path, packages) == (
        f"sha256:{both} requirements-dev.txt+requirements.txt")
    (tmp_path / "uv.lock").write_bytes(b"version = 1\n")
    lock = hashlib.sha256(b"version = 1\n").hexdigest()
    assert dependency_lock(tmp_path, packages) == f"sha256:{lock} uv.lock"
