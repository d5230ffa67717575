"""The charset check's vectorised suspect pass (on UTF-8 bytes) picks exactly the texts its
definition picks, and every text with an anomaly."""

from __future__ import annotations

import itertools
import random

from dataflywheel.checks.builtin.charset import _CONT_SET, _CONTROL_RE, anomalies, suspects

PIECES = list("abc XYZ\t\n\r.é’") + [
    "\x00", "\x07", "\x0b", "\x1f", "\x7f", "\x80", "\u00c2", "\u00c3\u00a9", "\u00e2\u20ac\u201d",
    "\u00ef", "\u00f0", "\ufffd", "\u00c1", "\U0001f600", "\u2028", "\u00e9\u00bb", "\u00c3\u0153",
    "\u00e2\u2122", "\ud800",
]  # fmt: skip
LEADS = {chr(c) for c in range(0xC2, 0xF0)}
CONT_FIRST_BYTES = {c.encode()[0] for c in _CONT_SET}


def _by_definition(texts: list[str]) -> list[int]:
    """A control, U+FFFD or a lone surrogate, or a lead lookalike followed by a character whose
    UTF-8 starts like a continuation lookalike's."""

    def suspect(t: str) -> bool:
        if _CONTROL_RE.search(t) or "\ufffd" in t or any("\ud800" <= c <= "\udfff" for c in t):
            return True
        return any(
            a in LEADS and not "\ud800" <= b <= "\udfff" and b.encode()[0] in CONT_FIRST_BYTES
            for a, b in itertools.pairwise(t)
        )

    return [i for i, t in enumerate(texts) if suspect(t)]


def test_suspects_equal_the_definition_and_cover_every_anomaly() -> None:
    rng = random.Random(5)
    texts = ["".join(rng.choice(PIECES) for _ in range(rng.randint(0, 40))) for _ in range(5000)]
    picked = suspects(texts)
    assert picked == _by_definition(texts)
    assert 0 < len(picked) < len(texts)
    assert {i for i, t in enumerate(texts) if anomalies(t)} <= set(picked)


def test_a_lone_surrogate_makes_its_text_a_suspect_and_a_plain_accent_does_not() -> None:
    texts = ["clean", "lone \ud800 here", "ctrl \x01", "café", "cafÃ©", "x" * 20 + "\x01"]
    assert suspects(texts) == [1, 2, 4, 5]
    assert suspects([]) == []
