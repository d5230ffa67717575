"""`flywheel experiments …` end to end through the real CLI."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from exp_helpers import repro

from dataflywheel.flows.workspace import Workspace


def _env_file(tmp_path: Path) -> Path:
    path = tmp_path / "env.json"
    fields = repro()
    path.write_text(json.dumps({k: fields[k] for k in (
        "runtime_env", "dependency_lock", "hardware_profile", "cuda_driver")}), encoding="utf-8")
    return path


def _formal(tmp_path: Path, *extra: str) -> list[str]:
    return ["experiments", "log", "gsm8k eval", "--model", "sft-7b", "--version", "gsm-v1:eval",
            "--project", "P-TEST", "--owner", "algorithm-engineer", "--metric", "accuracy=0.8",
            "--param", "shots=8", "--param", "prompt=cot", "--env", str(_env_file(tmp_path)),
            "--container-image", "registry.example/eval:1", "--seed", "7",
            "--determinism", "cudnn.deterministic=true", *extra, "--json"]


def _results(tmp_path: Path, name: str, correct: list[bool]) -> Path:
    questions = ["What percent of 20 is 5?", "What is 7 plus 5?", "He walks 3 miles per hour"]
    path = tmp_path / name
    path.write_text("".join(json.dumps({"question": q, "ground_truth": "A: 1",
                                        "m": {"is_correct": c, "solution": ""}}) + "\n"
                            for q, c in zip(questions, correct)), encoding="utf-8")
    return path


def test_log_show_list_compare(lab: Workspace, cli: Any, tmp_path: Path) -> None:
    first = cli(*_formal(tmp_path, "--results", str(_results(tmp_path, "a.jsonl",
                                                             [True, True, False])),
                         "--model-key", "m"))
    assert first.code == 0, first.err
    assert first.json()["experiment"]["metrics"]["accuracy"] == 0.8  # --metric wins over results
    assert first.json()["experiment"]["params"] == {"shots": 8, "prompt": "cot"}
    assert first.json()["error_samples"] == 1
    second = cli(*_formal(tmp_path, "--metric", "accuracy=0.6", "--baseline", "EXP-0001",
                          "--version", "gsm-v2:eval"))
    assert second.code == 0, second.err
    assert second.json()["regressions"] == ["accuracy"] and second.json()["issue_id"] == "ISS-0001"
    shown = cli("experiments", "show", "EXP-0002", "--json").json()
    assert [v["version_id"] for v in shown["versions"]] == ["gsm-v1", "gsm-v2"]
    assert shown["issues"][0]["id"] == "ISS-0001"
    listed = cli("experiments", "list", "--kind", "formal", "--json").json()
    assert [e["id"] for e in listed] == ["EXP-0001", "EXP-0002"]
    report = cli("experiments", "compare", "EXP-0002", "EXP-0001", "--json").json()
    assert report["regressions"] == ["accuracy"] and report["error_samples"]["fixed"] == ["line-3"]
    human = cli("experiments", "show", "EXP-0002")
    assert human.code == 0 and "reproducibility: complete" in human.out


def test_log_refusals_are_one_red_line(lab: Workspace, cli: Any, tmp_path: Path) -> None:
    candidate = cli(*_formal(tmp_path, "--version", "gsm-cand"))
    assert candidate.code == 2 and candidate.out == ""
    assert "may not use gsm-cand (candidate, not frozen)" in candidate.err
    bare = cli("experiments", "log", "bare", "--model", "m", "--version", "gsm-v1", "--json")
    assert bare.code == 2
    assert ("lacks reproducibility context: runtime_env, container_image, dependency_lock, "
            "hardware_profile, cuda_driver, random_seed, determinism_flags") in " ".join(
        bare.err.split())
    missing = cli("experiments", "log", "x", "--model", "m", "--version", "gsm-v404",
                  "--kind", "exploratory")
    assert missing.code == 2 and "dataset version gsm-v404 does not exist" in missing.err
    assert cli("experiments", "list", "--json").json() == []


@pytest.mark.parametrize(("args", "message"), [
    (["--metric", "accuracy=high"], "--metric accuracy is not a number"),
    (["--param", "novalue"], "cannot read --param 'novalue'"),
    (["--kind", "official"], "invalid experiment"),
    (["--results", "r.jsonl"], "--results needs --model-key"),
    (["--env", "absent.json"], "environment file not found"),
])
def test_bad_options(lab: Workspace, cli: Any, tmp_path: Path, args: list[str],
                     message: str) -> None:
    result = cli("experiments", "log", "x", "--model", "m", "--version", "gsm-v1", *args)
    assert result.code == 2 and message in " ".join(result.err.split())


def test_error_samples_file_bad_line(lab: Workspace, cli: Any, tmp_path: Path) -> None:
    path = tmp_path / "errors.jsonl"
    path.write_text('{"record_id": "a", "category": "money"}\n{"record_id": "b"}\n')
    result = cli(*_formal(tmp_path, "--errors", str(path)))
    assert result.code == 2
    assert f"{path}:2: invalid error sample; field 'category'; expected Field required" in " ".join(
        result.err.split())


def test_capture_env_json(cli: Any) -> None:
    result = cli("experiments", "capture-env", "--json")
    assert result.code == 0
    env = result.json()
    assert env["runtime_env"]["python"] and env["dependency_lock"].startswith("sha256:")
    assert env["not_captured"] == ["container_image", "random_seed", "determinism_flags"]
    assert "gpus" in env["hardware_profile"]


def test_finish_command(lab: Workspace, cli: Any, tmp_path: Path) -> None:
    assert cli(*_formal(tmp_path, "--state", "running")).code == 0
    done = cli("experiments", "finish", "EXP-0001", "--metric", "accuracy=0.9", "--json")
    assert done.code == 0 and done.json()["experiment"]["state"] == "completed"
    again = cli("experiments", "finish", "EXP-0001", "--state", "failed")
    assert again.code == 2 and "cannot move from 'completed' to 'failed'" in again.err
    bad = cli("experiments", "finish", "EXP-0001", "--state", "paused")
    assert bad.code == 2 and "unknown state 'paused'" in bad.err
