"""The fast paths of `normalise` give exactly the reference normalisation."""

from __future__ import annotations

import random
import unicodedata

from dataflywheel.checks.base import RecordBatch
from dataflywheel.checks.textnorm import PLAIN_RANGES, normalise


def reference(text: str) -> str:
    return " ".join(unicodedata.normalize("NFKC", text).casefold().split())


def _composition_seconds() -> set[int]:
    seconds = set()
    for cp in range(0x110000):
        dec = unicodedata.decomposition(chr(cp))
        if dec and not dec.startswith("<") and len(dec.split()) == 2:
            seconds.add(int(dec.split()[1], 16))
    return seconds


def _plain_chars() -> list[str]:
    return [chr(cp) for lo, hi in PLAIN_RANGES for cp in range(lo, hi + 1)]


def test_every_plain_character_keeps_the_rule() -> None:
    seconds = _composition_seconds()
    bad = []
    for ch in _plain_chars():
        cp = ord(ch)
        if (
            unicodedata.normalize("NFKC", ch) != ch
            or ch.casefold() != ch
            or ch.isspace()
            or unicodedata.combining(ch)
            or unicodedata.category(ch) in ("Mn", "Mc", "Me", "Cn", "Co", "Cs")
            or cp in seconds
            or 0x1100 <= cp <= 0x11FF
            or 0xD800 <= cp <= 0xDFFF
        ):
            bad.append(f"U+{cp:04X}")
    assert bad == []


def test_each_plain_character_in_context_matches_the_reference() -> None:
    for ch in _plain_chars():
        for text in (f"A{ch}B  c", f" {ch}\u0301x", f"\tÉ{ch}\n", f"{ch}\x1cZ "):
            assert normalise(text) == reference(text), (hex(ord(ch)), text)


ALPHABET = (
    list("aZ09 .,\t\n\r\x0b\x0c\x1c\x1f\x00-")
    + list("’“”–—×•€é ü çÃ©ß ﬁ…Ｆ\u00a0\u2028\u0085\u1680\u3000ΣσςİK")
    + [
        "\u0301",
        "\u0327",
        "\u1100\u1161",
        "\uac00\u11a8",
        "\ufffd",
        "\U0001f600",
        "\u2126",
        "\ud83d",
    ]
)


def test_fuzzed_texts_match_the_reference() -> None:
    rng = random.Random(7)
    for _ in range(20000):
        text = "".join(rng.choice(ALPHABET) for _ in range(rng.randint(0, 24)))
        assert normalise(text) == reference(text), repr(text)


def test_batch_normalised_uses_the_same_function() -> None:
    texts = ["  Hello\tWORLD ", "Straße ﬁne", "it’s “Fine”", ""]
    batch = RecordBatch(file="f", texts=texts)
    assert batch.normalised() == [reference(t) for t in texts]
    assert batch.normalised() == ["hello world", "strasse fine", "it’s “fine”", ""]
