"""The charset check's vectorised suspect pass picks exactly the texts the `re` class picks."""

from __future__ import annotations

import random

from dataflywheel.checks.builtin.charset import _CONTROL_RE, _SUSPECT, anomalies, suspects

PIECES = list("abc XYZ\t\n\r.é’") + [
    "\x00", "\x07", "\x0b", "\x1f", "\x7f", "\x80", "\u00c2", "\u00c3\u00a9", "\u00e2\u20ac\u201d",
    "\u00ef", "\u00f0", "\ufffd", "\u00c1", "\U0001f600", "\u2028",
]  # fmt: skip


def _by_re(texts: list[str]) -> list[int]:
    return [
        i
        for i, t in enumerate(texts)
        if (_CONTROL_RE.search(t) if t.isascii() else _SUSPECT.search(t)) is not None
    ]


def test_suspects_equal_the_re_scan_and_cover_every_anomaly() -> None:
    rng = random.Random(5)
    texts = ["".join(rng.choice(PIECES) for _ in range(rng.randint(0, 12))) for _ in range(5000)]
    picked = suspects(texts)
    assert picked == _by_re(texts)
    assert 0 < len(picked) < len(texts)
    assert {i for i, t in enumerate(texts) if anomalies(t)} <= set(picked)


def test_a_lone_surrogate_makes_its_text_a_suspect() -> None:
    texts = ["clean", "lone \ud800 here", "ctrl \x01", "café"]
    assert suspects(texts) == [1, 2, 3]
    assert suspects([]) == []
