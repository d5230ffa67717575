"""Capture the reproducibility context of the machine a run happens on (`flywheel experiments capture-env`).

What is filled, and from where:
- `runtime_env`: Python (version, implementation, executable), the OS (`platform`), and every
  installed distribution with its version (`importlib.metadata`);
- `dependency_lock`: `sha256:<hex> <source>` of the first lock found in the project folder, in this
  order: `uv.lock`, `poetry.lock`, `pdm.lock`, `Pipfile.lock`, then all `requirements*.txt` together
  (sorted by name, each preceded by its name); with none of them, the hash of the sorted
  `name==version` list of the installed distributions (what `pip freeze` prints), named `freeze`;
- `hardware_profile`: CPU, core count, memory, and the GPUs `nvidia-smi` reports;
- `cuda_driver`: `<driver> (CUDA <version>)` from `nvidia-smi`; `none` when there is no
  `nvidia-smi` on PATH (a CPU-only machine states that it has no driver); left unset, with the
  reason in `notes`, when `nvidia-smi` exists but fails.

`container_image`, `random_seed` and `determinism_flags` cannot be seen from inside the process:
they stay unset and are listed in `not_captured`, so the caller must state them. Nothing here
writes anything; this module uses the standard library only, so it runs on a bare GPU host too.
"""

from __future__ import annotations

import hashlib
import os
import platform
import re
import shutil
import subprocess
import sys
from dataclasses import dataclass, field
from importlib import metadata
from pathlib import Path
from typing import Any

LOCK_FILES = ("uv.lock", "poetry.lock", "pdm.lock", "Pipfile.lock")
NOT_CAPTURED = ("container_image", "random_seed", "determinism_flags")
NVIDIA_SMI_TIMEOUT_S = 15
_GPU_QUERY = "index,name,memory.total,driver_version,uuid"
_CUDA_RE = re.compile(r"CUDA Version:\s*([0-9.]+)")


@dataclass
class CapturedEnv:
    """The reproducibility fields this machine could fill, and what it could not (with why)."""

    runtime_env: dict[str, Any]
    dependency_lock: str
    hardware_profile: dict[str, Any]
    cuda_driver: str | None
    not_captured: list[str] = field(default_factory=lambda: list(NOT_CAPTURED))
    notes: list[str] = field(default_factory=list)

    def fields(self) -> dict[str, Any]:
        """The captured values under their experiment field names (unset ones left out)."""
        values = {"runtime_env": self.runtime_env, "dependency_lock": self.dependency_lock,
                  "hardware_profile": self.hardware_profile, "cuda_driver": self.cuda_driver}
        return {k: v for k, v in values.items() if v is not None}

    def to_dict(self) -> dict[str, Any]:
        return {**self.fields(), "cuda_driver": self.cuda_driver,
                "not_captured": self.not_captured, "notes": self.notes}


def capture_env(project_root: Path | None = None, *, nvidia_smi: str | None = None) -> CapturedEnv:
    """Describe this process's machine; `project_root` (default: cwd) is where locks are looked for.

    `nvidia_smi` names the program to ask about GPUs (default: `nvidia-smi` found on PATH).
    """
    root = project_root or Path.cwd()
    packages = installed_packages()
    notes: list[str] = []
    gpus, cuda_driver = probe_gpus(nvidia_smi, notes)
    return CapturedEnv(
        runtime_env=runtime_env(packages),
        dependency_lock=dependency_lock(root, packages),
        hardware_profile=hardware_profile(gpus),
        cuda_driver=cuda_driver,
        notes=notes,
    )


def installed_packages() -> dict[str, str]:
    """Every installed distribution, by normalised name (first one wins, as on `sys.path`)."""
    found: dict[str, str] = {}
    for dist in metadata.distributions():
        name = dist.metadata["Name"]
        if not name:
            continue
        key = re.sub(r"[-_.]+", "-", name).lower()
        found.setdefault(key, dist.version)
    return dict(sorted(found.items()))


def runtime_env(packages: dict[str, str]) -> dict[str, Any]:
    return {
        "python": platform.python_version(),
        "implementation": platform.python_implementation(),
        "executable": sys.executable,
        "os": platform.platform(),
        "system": platform.system(),
        "release": platform.release(),
        "machine": platform.machine(),
        "packages": packages,
    }


def dependency_lock(root: Path, packages: dict[str, str]) -> str:
    """`sha256:<hex> <source>` of the project's lock file, or of the installed set (`freeze`)."""
    for name in LOCK_FILES:
        path = root / name
        if path.is_file():
            return f"sha256:{hashlib.sha256(path.read_bytes()).hexdigest()} {name}"
    requirements = sorted(p for p in root.glob("requirements*.txt") if p.is_file())
    if requirements:
        digest = hashlib.sha256()
        for path in requirements:
            digest.update(path.name.encode() + b"\n" + path.read_bytes() + b"\n")
        return f"sha256:{digest.hexdigest()} {'+'.join(p.name for p in requirements)}"
    freeze = "".join(f"{name}=={version}\n" for name, version in packages.items())
    return f"sha256:{hashlib.sha256(freeze.encode()).hexdigest()} freeze"


def hardware_profile(gpus: list[dict[str, Any]]) -> dict[str, Any]:
    return {
        "cpu": platform.processor() or platform.machine(),
        "cpu_count": os.cpu_count(),
        "memory_bytes": _memory_bytes(),
        "gpu_count": len(gpus),
        "gpus": gpus,
    }


def probe_gpus(program: str | None, notes: list[str]) -> tuple[list[dict[str, Any]], str | None]:
    """GPUs and `<driver> (CUDA <v>)` from nvidia-smi; ([], "none") when there is no nvidia-smi."""
    exe = program or shutil.which("nvidia-smi")
    if exe is None:
        notes.append("no GPU: nvidia-smi is not on PATH; cuda_driver recorded as 'none'")
        return [], "none"
    query = _run([exe, f"--query-gpu={_GPU_QUERY}", "--format=csv,noheader,nounits"], notes)
    if query is None:
        return [], None
    gpus = [_gpu_row(line) for line in query.splitlines() if line.strip()]
    if not gpus:
        notes.append("nvidia-smi listed no GPU; cuda_driver left unset")
        return [], None
    banner = _run([exe], notes) or ""
    cuda = _CUDA_RE.search(banner)
    driver = str(gpus[0]["driver_version"])
    return gpus, f"{driver} (CUDA {cuda.group(1)})" if cuda else driver


def _gpu_row(line: str) -> dict[str, Any]:
    parts = [p.strip() for p in line.split(",")]
    parts += [""] * (5 - len(parts))
    index, name, memory, driver, uuid = parts[:5]
    return {"index": int(index) if index.isdigit() else index, "name": name,
            "memory_mib": int(memory) if memory.isdigit() else memory,
            "driver_version": driver, "uuid": uuid}


def _run(argv: list[str], notes: list[str]) -> str | None:
    try:
        done = subprocess.run(argv, capture_output=True, text=True, timeout=NVIDIA_SMI_TIMEOUT_S,
                              check=False)
    except (OSError, subprocess.TimeoutExpired) as exc:
        notes.append(f"{argv[0]} could not run ({exc}); GPU fields left unset")
        return None
    if done.returncode != 0:
        why = (done.stderr or done.stdout).strip().splitlines()
        notes.append(f"{argv[0]} exited {done.returncode}"
                     f" ({why[0] if why else 'no message'}); GPU fields left unset")
        return None
    return done.stdout


def _memory_bytes() -> int | None:
    try:
        return os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
    except (AttributeError, ValueError, OSError):
        return None
