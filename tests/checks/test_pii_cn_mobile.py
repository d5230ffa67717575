"""Chinese mobile numbers are PII (11 digits, 1[3-9]X, written 3-4-4 with spaces or hyphens or
run together, alone or inside Chinese text), and the vectorised prefilter never hides one."""

from __future__ import annotations

from pathlib import Path

import pytest
from checkhelp import check, plan, write_jsonl

from dataflywheel.checks.builtin.pii import PiiCheck

CN_MOBILE = [
    "call 138 0013 8000 today",
    "call 138-0013-8000 today",
    "call 13800138000 today",
    "我的手机号是13912345678，请联系",
    "电话：186 1234 5678。",
    "+86 138 0013 8000",
]
NOT_CN_MOBILE = [
    "order 12345678901 shipped",  # 12x is not a mobile prefix
    "id A13800138000 is a code",  # glued to a Latin letter
    "1380013800 is ten digits",
    "138001380001 is twelve digits",
    "The answer is 1620000 5100 * 8",  # 7-4, not 3-4-4 (found in the bench corpus)
    "mixed 138-0013 8000 separators",
]


def _pii() -> PiiCheck:
    return PiiCheck(plan(checks={"pii": {"kinds": ["phone"]}}))


@pytest.mark.parametrize("text", CN_MOBILE)
def test_chinese_mobile_numbers_are_phone_pii(text: str) -> None:
    pii = _pii()
    assert [k for k, _, _ in pii.find(text)] == ["phone"]
    assert pii.candidates([text]) == [0]


@pytest.mark.parametrize("text", NOT_CN_MOBILE)
def test_near_misses_are_not(text: str) -> None:
    assert _pii().find(text) == []


def test_counted_through_the_engine(tmp_path: Path) -> None:
    recs = [{"id": f"p{i}", "text": t} for i, t in enumerate(CN_MOBILE + NOT_CN_MOBILE)]
    report = check(write_jsonl(tmp_path / "p.jsonl", recs), plan(checks={"pii": {}}))
    assert report.metrics["pii_phone_count"] == len(CN_MOBILE)
    assert "0013" not in report.to_json() and "1234" not in report.to_json()


def test_the_prefilter_never_hides_a_hit_in_chinese_text() -> None:
    import random

    pieces = list("0123456789" * 3) + list(" -+.号码：，") + [
        "手机", "138 ", "0013 ", "8000", "13800138000", "+86 ", "\uff11", "\u0663", "a", "_"]
    rng = random.Random(86)
    texts = ["".join(rng.choice(pieces) for _ in range(rng.randint(0, 30))) for _ in range(6000)]
    pii = PiiCheck(plan(checks={"pii": {}}))
    hits = [i for i, t in enumerate(texts) if pii.find(t)]
    assert len(hits) >= 50
    assert set(hits) <= set(pii.candidates(texts))
