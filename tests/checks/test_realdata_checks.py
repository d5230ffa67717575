"""The engine on real public data (GSM8K, hh-rlhf) from ../shared/realdata; skipped when absent."""

from __future__ import annotations

from pathlib import Path

import pytest

from dataflywheel.checks.engines import run_checks
from dataflywheel.checks.plan import CheckPlan

REPO_ROOT = Path(__file__).resolve().parents[2]
REALDATA = REPO_ROOT.parent / "shared" / "realdata"

pytestmark = pytest.mark.realdata


def _need(name: str) -> Path:
    path = REALDATA / name
    if not path.exists():
        pytest.skip(f"{path} is absent (shared/realdata not checked out beside the repo)")
    return path


def test_gsm8k_test_split_is_clean_and_engines_agree() -> None:
    path = _need("gsm8k_test.jsonl")
    plan = CheckPlan.model_validate(
        {
            "text_fields": ["question", "answer"],
            "schema": {
                "fields": [
                    {"name": "question", "type": "string"},
                    {"name": "answer", "type": "string"},
                ],
                "additional_fields": "reject",
            },
            "checks": {"pii": {}},
            "thresholds": [
                {"metric": "schema_violation_rate", "op": "==", "value": 0},
                {"metric": "duplicate_rate", "op": "<", "value": 0.001},
            ],
        }
    )
    single = run_checks([path], plan, engine="single")
    local = run_checks([path], plan, engine="local", workers=2, shard_bytes=100_000)
    assert local.to_json() == single.to_json()
    m = single.metrics
    assert m["record_count"] == 1319 and single.rejected == 0 and single.passed
    assert m["blank_rate"] == 0 and m["control_char_rate"] == 0 and m["mojibake_rate"] == 0
    assert m["pii_email_count"] == 0 and m["pii_card_count"] == 0
    assert m["words_p50"] > 50


def test_hh_rlhf_pairs_gzip() -> None:
    path = _need("hh_rlhf_harmless_base_test.jsonl.gz")
    plan = CheckPlan.model_validate(
        {
            "text_fields": ["chosen", "rejected"],
            "schema": {
                "fields": [
                    {"name": "chosen", "type": "string"},
                    {"name": "rejected", "type": "string"},
                ]
            },
            "checks": {"pii": {}},
        }
    )
    report = run_checks([path], plan, engine="single")
    m = report.metrics
    assert m["record_count"] == 2312 and report.rejected == 0
    assert m["schema_violation_rate"] == 0
    assert m["charset_anomaly_rate"] < 0.01
    assert 0 <= m["duplicate_rate"] < 0.05
    assert m["chars_p50"] > 100
