"""The fast paths of `normalise` give exactly the reference normalisation."""

from __future__ import annotations

import random
import unicodedata

import polars as pl
import pytest

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


# --- the batch path: RecordBatch.normalised_column / normalised over textnorm.normalise_packed ---

WHITESPACE = [chr(cp) for cp in range(0x110000) if chr(cp).isspace()]


def _batch_matches(texts: list[str]) -> None:
    """normalised() equals the reference exactly; normalised_column() too, lone surrogates as
    U+FFFD; the raw text_column() holds the texts, lone surrogates as U+FFFD."""
    batch = RecordBatch(file="f", texts=list(texts))
    want = [reference(t) for t in texts]
    column = batch.normalised_column()
    assert column.dtype == pl.String and column.len() == len(texts)
    assert batch.normalised() == want
    assert column.to_list() == [_replaced(t) for t in want]
    assert batch.text_column().to_list() == [_replaced(t) for t in texts]
    assert batch.normalised_column() is column  # computed once, cached


def _replaced(text: str) -> str:
    return "".join("\ufffd" if 0xD800 <= ord(c) <= 0xDFFF else c for c in text)


def test_batch_path_on_every_plain_character_in_context() -> None:
    texts = [
        form.format(ch)
        for ch in _plain_chars()
        for form in ("A{}B  c", " {}\u0301x", "\tÉ{}\n", "{}\x1cZ ", "{0}", "{0} {0}")
    ]
    _batch_matches(texts)


@pytest.mark.slow
def test_batch_path_on_every_code_point() -> None:
    # one text per code point (all of Unicode, so every UTF-8 length and every non-plain
    # character is seen by the vectorised detection), between plain neighbours
    texts = [f"Ab {chr(cp)}Z" for cp in range(0x110000) if not 0xD800 <= cp <= 0xDFFF]
    _batch_matches(texts)


def test_batch_path_on_every_whitespace_character() -> None:
    texts = []
    for ws in WHITESPACE:
        texts += [ws, f"{ws}a", f"a{ws}", f"a{ws}b", f"a {ws} b", f"{ws}{ws}", f"A{ws}{ws}B{ws}"]
        texts += [f"é{ws}’", f"x{ws}\u0301", f"{ws}Ｆ{ws}"]
    _batch_matches(texts)


def test_batch_path_on_empty_and_blank_texts() -> None:
    _batch_matches([])
    _batch_matches([""])
    _batch_matches(["", "", ""])
    _batch_matches(["   ", "\t\n", "", " a ", "", "\u3000", "b  "])
    # a run of spaces across the boundary of two texts belongs to neither
    _batch_matches(["ends with space ", " starts with space", "x", "  ", "y "])


def test_batch_path_on_lone_surrogates() -> None:
    texts = ["a\ud800b", "\udfff", "  X\udc80  Y  ", "plain", "é\ud83d", "\ud800\udc00?", ""]
    _batch_matches(texts)
    batch = RecordBatch(file="f", texts=texts)
    assert batch.packed_texts().lossy == (0, 1, 2, 4, 5)
    assert batch.normalised()[2] == "x\udc80 y"
    assert batch.normalised_column()[2] == "x\ufffd y"


def test_fuzzed_batches_match_the_reference() -> None:
    rng = random.Random(11)
    alphabet = ALPHABET + WHITESPACE + ["\U0001d400", "\u00c0", "ǅ", "\u00b5", "\ufb01"]
    for _ in range(40):
        texts = [
            "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 40)))
            for _ in range(rng.randint(0, 300))
        ]
        _batch_matches(texts)


def test_normalised_list_and_column_agree_whichever_comes_first() -> None:
    texts = ["  Hello\tWORLD ", "Straße ﬁne", "x\ud800 y", ""]
    first_list = RecordBatch(file="f", texts=texts)
    first_column = RecordBatch(file="f", texts=texts)
    assert first_list.normalised() == [reference(t) for t in texts]
    first_column.normalised_column()
    assert first_column.normalised() == first_list.normalised()


def test_batch_path_across_the_scan_pieces() -> None:
    # the buffer is scanned in pieces of _SCAN_BYTES: a double space, a non-plain character and
    # a text boundary with a leading space, each placed at every position around a piece's end
    from dataflywheel.checks.textnorm import _SCAN_BYTES

    texts = []
    for shift in range(-3, 3):
        fill = "x" * (_SCAN_BYTES + shift)
        texts += [fill + "  y", fill + "Éz", fill + "é\u0301", fill]
    texts += [" lead", "trail ", "x" * (2 * _SCAN_BYTES - 1), "  ", "Ａ"]
    _batch_matches(texts)
    for shift in range(-3, 3):
        _batch_matches(["x" * (_SCAN_BYTES + shift), "  Y", "Ｂ b"])
