"""The PII check's vectorised candidate pass never hides a hit that the exact patterns find."""

from __future__ import annotations

import random
from pathlib import Path

import pytest
from checkhelp import check, plan, write_jsonl
from test_builtin_checks import NOT_PII, PII_CASES

from dataflywheel.checks.builtin.pii import PiiCheck

KINDS = ["email", "phone", "ipv4", "ipv6", "card"]
PIECES = list("0123456789" * 3) + list(" .()/-+:@_ax\n") + [
    "\u00e9", "\ud800", "\uff11", "\u0663", "::", "192.168.", "example.com", "+1 ", "4111 ", "4111 1111 1111 1111", "10.0.0.1", "555-123-4567", "+44 20 7946 0958", "(571) 517",
]  # fmt: skip


def _pii(kinds: list[str]) -> PiiCheck:
    return PiiCheck(plan(checks={"pii": {"kinds": kinds}}))


@pytest.mark.parametrize("kinds", [KINDS, ["email"], ["ipv6"], ["phone"], ["ipv4"], ["card"]])
def test_every_text_with_a_hit_is_a_candidate(kinds: list[str]) -> None:
    rng = random.Random(11)
    texts = ["".join(rng.choice(PIECES) for _ in range(rng.randint(0, 40))) for _ in range(6000)]
    texts += [t for t, _ in PII_CASES] + NOT_PII
    pii = _pii(kinds)
    hits = [i for i, t in enumerate(texts) if pii.find(t)]
    candidates = pii.candidates(texts)
    assert len(hits) >= 20  # the fuzz reaches every kind
    assert set(hits) <= set(candidates)
    assert candidates == sorted(candidates)


def test_built_in_kinds_found_through_the_candidate_pass(tmp_path: Path) -> None:
    cases = [(t, k) for t, k in PII_CASES if k != "employee_id"]
    recs = [{"id": f"p{i}", "text": t} for i, (t, _) in enumerate(cases)]
    recs += [{"id": f"n{i}", "text": t} for i, t in enumerate(NOT_PII)]
    path = write_jsonl(tmp_path / "p.jsonl", recs)
    with path.open("a") as f:  # a lone surrogate escape: polars cannot take it as it is
        f.write('{"id": "s", "text": "lone \\ud800 surrogate, mail a@b.io"}\n')
    report = check(path, plan(checks={"pii": {}}))
    m = report.metrics
    assert {k: m[f"pii_{k}_count"] for k in KINDS} == {
        "email": 2, "phone": 3, "ipv4": 1, "ipv6": 1, "card": 2,
    }  # fmt: skip
    assert m["pii_count"] == len(cases) + 1
