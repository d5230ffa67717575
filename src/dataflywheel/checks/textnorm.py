"""Text normalisation for duplicate detection: NFKC, case-fold, whitespace collapsed.

Guarantee: `normalise(t)` equals
`" ".join(unicodedata.normalize("NFKC", t).casefold().split())` (tested against that reference,
character by character over `PLAIN_RANGES` and on fuzzed texts).

Speed: most texts are ASCII, or ASCII plus a few characters such as ’ “ — é × that NFKC and
case-folding leave alone. For such *plain* texts (one regex scan tells) normalisation is only
ASCII lower-casing and whitespace collapsing on the UTF-8 bytes; NFKC and `casefold` (most of
the cost) run only on the other texts.

Batch form (`RecordBatch.normalised_column`): `normalise_packed` normalises a whole batch packed
as one UTF-8 buffer (`textpack.PackedText`) with a handful of passes over the buffer instead of a
Python call per text: one `bytes.translate` lower-cases ASCII and turns ASCII whitespace into
spaces for every text at once, and numpy finds the few rows that need more (a non-plain
character or a lone surrogate: `normalise`; a run of spaces, a leading or trailing space: the
spaces collapsed); only those rows are redone, then scattered into the column. Every row
therefore equals `normalise(text)`: tests/checks/test_textnorm.py compares the batch path with
the reference on every code point, every plain and whitespace character in context, fuzzed
batches, empty texts and lone surrogates. On the 200k-record benchmark corpus about 1% of the
texts go through `normalise` and 3% more have their spaces collapsed.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from dataflywheel.checks.textpack import PackedText, valid_utf8

# str.split() whitespace: the ASCII ones are mapped to b" " by a byte table; after NFKC (which
# turns the other Unicode spaces into U+0020) only these few remain and take the slow path.
_ASCII_WS = b"\t\n\x0b\x0c\r\x1c\x1d\x1e\x1f"
_LOWER_WS = bytes.maketrans(
    bytes(range(65, 91)) + _ASCII_WS, bytes(range(97, 123)) + b" " * len(_ASCII_WS)
)
_ONLY_WS = bytes.maketrans(_ASCII_WS, b" " * len(_ASCII_WS))
_SPACES = re.compile(b"  +")
_ODD_WS = re.compile("[\x85\u1680\u2028\u2029]")

# Plain non-ASCII characters: NFKC-stable, case-fold-stable, not whitespace, canonical combining
# class 0, not the second character of any canonical composition, not a Hangul jamo, assigned
# and not a mark. A text made of ASCII and these characters is already NFKC and case-folded
# except for its ASCII letters: no character changes alone, and none composes with a neighbour.
# Generated with Python's unicodedata 14.0 over the common blocks (Latin, Greek, Cyrillic,
# punctuation and symbols, CJK, Hangul syllables, emoji); tests/checks/test_textnorm.py checks
# every character against the rule with the running Python's own tables.
# fmt: off
PLAIN_RANGES: tuple[tuple[int, int], ...] = (
    (0x0080, 0x0084), (0x0086, 0x009F), (0x00A1, 0x00A7), (0x00A9, 0x00A9), (0x00AB, 0x00AE),
    (0x00B0, 0x00B1), (0x00B6, 0x00B7), (0x00BB, 0x00BB), (0x00BF, 0x00BF), (0x00D7, 0x00D7),
    (0x00E0, 0x00FF), (0x0101, 0x0101), (0x0103, 0x0103), (0x0105, 0x0105), (0x0107, 0x0107),
    (0x0109, 0x0109), (0x010B, 0x010B), (0x010D, 0x010D), (0x010F, 0x010F), (0x0111, 0x0111),
    (0x0113, 0x0113), (0x0115, 0x0115), (0x0117, 0x0117), (0x0119, 0x0119), (0x011B, 0x011B),
    (0x011D, 0x011D), (0x011F, 0x011F), (0x0121, 0x0121), (0x0123, 0x0123), (0x0125, 0x0125),
    (0x0127, 0x0127), (0x0129, 0x0129), (0x012B, 0x012B), (0x012D, 0x012D), (0x012F, 0x012F),
    (0x0131, 0x0131), (0x0135, 0x0135), (0x0137, 0x0138), (0x013A, 0x013A), (0x013C, 0x013C),
    (0x013E, 0x013E), (0x0142, 0x0142), (0x0144, 0x0144), (0x0146, 0x0146), (0x0148, 0x0148),
    (0x014B, 0x014B), (0x014D, 0x014D), (0x014F, 0x014F), (0x0151, 0x0151), (0x0153, 0x0153),
    (0x0155, 0x0155), (0x0157, 0x0157), (0x0159, 0x0159), (0x015B, 0x015B), (0x015D, 0x015D),
    (0x015F, 0x015F), (0x0161, 0x0161), (0x0163, 0x0163), (0x0165, 0x0165), (0x0167, 0x0167),
    (0x0169, 0x0169), (0x016B, 0x016B), (0x016D, 0x016D), (0x016F, 0x016F), (0x0171, 0x0171),
    (0x0173, 0x0173), (0x0175, 0x0175), (0x0177, 0x0177), (0x017A, 0x017A), (0x017C, 0x017C),
    (0x017E, 0x017E), (0x0180, 0x0180), (0x0183, 0x0183), (0x0185, 0x0185), (0x0188, 0x0188),
    (0x018C, 0x018D), (0x0192, 0x0192), (0x0195, 0x0195), (0x0199, 0x019B), (0x019E, 0x019E),
    (0x01A1, 0x01A1), (0x01A3, 0x01A3), (0x01A5, 0x01A5), (0x01A8, 0x01A8), (0x01AA, 0x01AB),
    (0x01AD, 0x01AD), (0x01B0, 0x01B0), (0x01B4, 0x01B4), (0x01B6, 0x01B6), (0x01B9, 0x01BB),
    (0x01BD, 0x01C3), (0x01CE, 0x01CE), (0x01D0, 0x01D0), (0x01D2, 0x01D2), (0x01D4, 0x01D4),
    (0x01D6, 0x01D6), (0x01D8, 0x01D8), (0x01DA, 0x01DA), (0x01DC, 0x01DD), (0x01DF, 0x01DF),
    (0x01E1, 0x01E1), (0x01E3, 0x01E3), (0x01E5, 0x01E5), (0x01E7, 0x01E7), (0x01E9, 0x01E9),
    (0x01EB, 0x01EB), (0x01ED, 0x01ED), (0x01EF, 0x01EF), (0x01F5, 0x01F5), (0x01F9, 0x01F9),
    (0x01FB, 0x01FB), (0x01FD, 0x01FD), (0x01FF, 0x01FF), (0x0201, 0x0201), (0x0203, 0x0203),
    (0x0205, 0x0205), (0x0207, 0x0207), (0x0209, 0x0209), (0x020B, 0x020B), (0x020D, 0x020D),
    (0x020F, 0x020F), (0x0211, 0x0211), (0x0213, 0x0213), (0x0215, 0x0215), (0x0217, 0x0217),
    (0x0219, 0x0219), (0x021B, 0x021B), (0x021D, 0x021D), (0x021F, 0x021F), (0x0221, 0x0221),
    (0x0223, 0x0223), (0x0225, 0x0225), (0x0227, 0x0227), (0x0229, 0x0229), (0x022B, 0x022B),
    (0x022D, 0x022D), (0x022F, 0x022F), (0x0231, 0x0231), (0x0233, 0x0239), (0x023C, 0x023C),
    (0x023F, 0x0240), (0x0242, 0x0242), (0x0247, 0x0247), (0x0249, 0x0249), (0x024B, 0x024B),
    (0x024D, 0x024D), (0x024F, 0x024F), (0x0371, 0x0371), (0x0373, 0x0373), (0x0375, 0x0375),
    (0x0377, 0x0377), (0x037B, 0x037D), (0x03AC, 0x03AF), (0x03B1, 0x03C1), (0x03C3, 0x03CE),
    (0x03D7, 0x03D7), (0x03D9, 0x03D9), (0x03DB, 0x03DB), (0x03DD, 0x03DD), (0x03DF, 0x03DF),
    (0x03E1, 0x03E1), (0x03E3, 0x03E3), (0x03E5, 0x03E5), (0x03E7, 0x03E7), (0x03E9, 0x03E9),
    (0x03EB, 0x03EB), (0x03ED, 0x03ED), (0x03EF, 0x03EF), (0x03F3, 0x03F3), (0x03F6, 0x03F6),
    (0x03F8, 0x03F8), (0x03FB, 0x03FC), (0x0430, 0x045F), (0x0461, 0x0461), (0x0463, 0x0463),
    (0x0465, 0x0465), (0x0467, 0x0467), (0x0469, 0x0469), (0x046B, 0x046B), (0x046D, 0x046D),
    (0x046F, 0x046F), (0x0471, 0x0471), (0x0473, 0x0473), (0x0475, 0x0475), (0x0477, 0x0477),
    (0x0479, 0x0479), (0x047B, 0x047B), (0x047D, 0x047D), (0x047F, 0x047F), (0x0481, 0x0482),
    (0x048B, 0x048B), (0x048D, 0x048D), (0x048F, 0x048F), (0x0491, 0x0491), (0x0493, 0x0493),
    (0x0495, 0x0495), (0x0497, 0x0497), (0x0499, 0x0499), (0x049B, 0x049B), (0x049D, 0x049D),
    (0x049F, 0x049F), (0x04A1, 0x04A1), (0x04A3, 0x04A3), (0x04A5, 0x04A5), (0x04A7, 0x04A7),
    (0x04A9, 0x04A9), (0x04AB, 0x04AB), (0x04AD, 0x04AD), (0x04AF, 0x04AF), (0x04B1, 0x04B1),
    (0x04B3, 0x04B3), (0x04B5, 0x04B5), (0x04B7, 0x04B7), (0x04B9, 0x04B9), (0x04BB, 0x04BB),
    (0x04BD, 0x04BD), (0x04BF, 0x04BF), (0x04C2, 0x04C2), (0x04C4, 0x04C4), (0x04C6, 0x04C6),
    (0x04C8, 0x04C8), (0x04CA, 0x04CA), (0x04CC, 0x04CC), (0x04CE, 0x04CF), (0x04D1, 0x04D1),
    (0x04D3, 0x04D3), (0x04D5, 0x04D5), (0x04D7, 0x04D7), (0x04D9, 0x04D9), (0x04DB, 0x04DB),
    (0x04DD, 0x04DD), (0x04DF, 0x04DF), (0x04E1, 0x04E1), (0x04E3, 0x04E3), (0x04E5, 0x04E5),
    (0x04E7, 0x04E7), (0x04E9, 0x04E9), (0x04EB, 0x04EB), (0x04ED, 0x04ED), (0x04EF, 0x04EF),
    (0x04F1, 0x04F1), (0x04F3, 0x04F3), (0x04F5, 0x04F5), (0x04F7, 0x04F7), (0x04F9, 0x04F9),
    (0x04FB, 0x04FB), (0x04FD, 0x04FD), (0x04FF, 0x04FF), (0x0501, 0x0501), (0x0503, 0x0503),
    (0x0505, 0x0505), (0x0507, 0x0507), (0x0509, 0x0509), (0x050B, 0x050B), (0x050D, 0x050D),
    (0x050F, 0x050F), (0x0511, 0x0511), (0x0513, 0x0513), (0x0515, 0x0515), (0x0517, 0x0517),
    (0x0519, 0x0519), (0x051B, 0x051B), (0x051D, 0x051D), (0x051F, 0x051F), (0x0521, 0x0521),
    (0x0523, 0x0523), (0x0525, 0x0525), (0x0527, 0x0527), (0x0529, 0x0529), (0x052B, 0x052B),
    (0x052D, 0x052D), (0x052F, 0x052F), (0x200B, 0x2010), (0x2012, 0x2016), (0x2018, 0x2023),
    (0x2027, 0x2027), (0x202A, 0x202E), (0x2030, 0x2032), (0x2035, 0x2035), (0x2038, 0x203B),
    (0x203D, 0x203D), (0x203F, 0x2046), (0x204A, 0x2056), (0x2058, 0x205E), (0x2060, 0x2064),
    (0x2066, 0x206F), (0x20A0, 0x20A7), (0x20A9, 0x20C0), (0x2104, 0x2104), (0x2108, 0x2108),
    (0x2114, 0x2114), (0x2117, 0x2118), (0x211E, 0x211F), (0x2123, 0x2123), (0x2125, 0x2125),
    (0x2127, 0x2127), (0x2129, 0x2129), (0x212E, 0x212E), (0x213A, 0x213A), (0x2141, 0x2144),
    (0x214A, 0x214F), (0x2180, 0x2182), (0x2184, 0x2188), (0x218A, 0x218B), (0x2190, 0x222B),
    (0x222E, 0x222E), (0x2231, 0x2328), (0x232B, 0x2426), (0x2440, 0x244A), (0x24EB, 0x2A0B),
    (0x2A0D, 0x2A73), (0x2A77, 0x2ADB), (0x2ADD, 0x2B73), (0x2B76, 0x2B95), (0x2B97, 0x2BFF),
    (0x3001, 0x3029), (0x3030, 0x3035), (0x3037, 0x3037), (0x303B, 0x303F), (0x3041, 0x3096),
    (0x309D, 0x309E), (0x30A0, 0x30FE), (0x4E00, 0x9FFF), (0xAC00, 0xD7A3), (0x1F300, 0x1F6D7),
    (0x1F6DD, 0x1F6EC), (0x1F6F0, 0x1F6FC), (0x1F700, 0x1F773), (0x1F780, 0x1F7D8),
    (0x1F7E0, 0x1F7EB), (0x1F7F0, 0x1F7F0), (0x1F800, 0x1F80B), (0x1F810, 0x1F847),
    (0x1F850, 0x1F859), (0x1F860, 0x1F887), (0x1F890, 0x1F8AD), (0x1F8B0, 0x1F8B1),
    (0x1F900, 0x1FA53), (0x1FA60, 0x1FA6D), (0x1FA70, 0x1FA74), (0x1FA78, 0x1FA7C),
    (0x1FA80, 0x1FA86), (0x1FA90, 0x1FAAC), (0x1FAB0, 0x1FABA), (0x1FAC0, 0x1FAC5),
    (0x1FAD0, 0x1FAD9), (0x1FAE0, 0x1FAE7), (0x1FAF0, 0x1FAF6),
)
# fmt: on

_NOT_PLAIN = re.compile(
    "[^\x00-\x7f" + "".join(f"{chr(lo)}-{chr(hi)}" for lo, hi in PLAIN_RANGES) + "]"
)


def normalise(text: str) -> str:
    """NFKC, case-fold, collapse whitespace (as `str.split` sees it) to single spaces, strip."""
    if text.isascii():
        raw = text.encode("ascii").translate(_LOWER_WS)
    elif _NOT_PLAIN.search(text) is None:
        raw = text.encode("utf-8").translate(_LOWER_WS)
    else:
        folded = unicodedata.normalize("NFKC", text).casefold()
        if _ODD_WS.search(folded):
            return " ".join(folded.split())
        raw = folded.encode("utf-8", "surrogatepass").translate(_ONLY_WS)
    if b"  " in raw:
        raw = _SPACES.sub(b" ", raw)
    return raw.strip(b" ").decode("utf-8", "surrogatepass")


_PLAIN_LO = np.array([lo for lo, _ in PLAIN_RANGES], dtype=np.int64)
_PLAIN_HI = np.array([hi for _, hi in PLAIN_RANGES], dtype=np.int64)


@dataclass(frozen=True, slots=True)
class NormalisedBatch:
    """`normalise` of a batch of texts: `packed` holds every row ASCII-lower-cased with ASCII
    whitespace as spaces, which is already the normalised text except for the rows in `fixes`,
    which maps each of those rows to its normalised text (exact, lone surrogates kept)."""

    packed: PackedText
    fixes: dict[int, str]

    def series(self) -> Any:
        """The normalised texts as one polars String Series (lone surrogates as U+FFFD): the
        packed buffer taken as is, the fixed rows scattered in (polars string views: neither
        step copies the buffer)."""
        import polars as pl

        column = self.packed.series()
        if self.fixes:
            fixed = list(self.fixes.values())
            try:
                values = pl.Series(fixed, dtype=pl.String)
            except UnicodeEncodeError:  # a lone surrogate
                values = pl.Series([valid_utf8(t).decode() for t in fixed], dtype=pl.String)
            column.scatter(list(self.fixes), values)
        return column


def normalise_packed(texts: Sequence[str], packed: PackedText) -> NormalisedBatch:
    """`normalise` of every text, given `packed = pack_utf8(texts)`."""
    out = packed.data.translate(_LOWER_WS)
    offsets = packed.offsets
    odd, spaced = _rows_to_redo(np.frombuffer(out, dtype=np.uint8), offsets, packed.lossy)
    fixes: dict[int, str] = {}
    for r in odd:
        fixes[r] = normalise(texts[r])
    for r in spaced:
        # plain row whose only fault is its spacing: its translated bytes hold ASCII spaces only
        fixes[r] = b" ".join(out[offsets[r] : offsets[r + 1]].split()).decode()
    return NormalisedBatch(PackedText(out, offsets, packed.lossy), fixes)


_SCAN_BYTES = 1 << 17  # scan the buffer in pieces that stay in the CPU cache with their masks


def _rows_to_redo(buf: Any, offsets: Any, lossy: Sequence[int]) -> tuple[list[int], list[int]]:
    """Rows of the translated buffer that are not yet `normalise(text)`, as two disjoint
    ascending lists: rows with a character outside `PLAIN_RANGES` or a lone surrogate (`lossy`),
    which need `normalise`; and the other rows with two spaces in a row or a leading or trailing
    space, which need only their spaces collapsed.

    Every array is made per piece of `_SCAN_BYTES` and only the rows found are kept, so the
    working memory is a few pieces' worth whatever the text: a 16 MB line of CJK text (a lead
    byte every three bytes) once made seven int64 arrays of 5.5 M code points here (~400 MB)."""
    odd = set(lossy)
    spaced: set[int] = set()
    for start in range(0, len(buf), _SCAN_BYTES):
        piece = buf[start : start + _SCAN_BYTES + 3]  # a pair and a code point across pieces
        lead = np.flatnonzero(piece[:_SCAN_BYTES] >= 0xC0)  # UTF-8 lead bytes (valid buffer)
        if len(lead):
            odd.update(_rows_of(offsets, _not_plain(piece, lead) + start))
        space = piece[: _SCAN_BYTES + 1] == 0x20
        spaced.update(_rows_of(offsets, np.flatnonzero(space[1:] & space[:-1]) + start))
    starts, ends = offsets[:-1], offsets[1:]
    rows = np.flatnonzero(ends > starts)
    spaced.update(rows[(buf[starts[rows]] == 0x20) | (buf[ends[rows] - 1] == 0x20)].tolist())
    spaced -= odd
    return sorted(odd), sorted(spaced)


def _not_plain(piece: Any, lead: Any) -> Any:
    """The positions in `lead` whose code point (decoded from `piece`) is not plain."""
    last = len(piece) - 1
    b0 = piece[lead].astype(np.int32)
    b1 = piece[np.minimum(lead + 1, last)].astype(np.int32) & 0x3F
    b2 = piece[np.minimum(lead + 2, last)].astype(np.int32) & 0x3F
    b3 = piece[np.minimum(lead + 3, last)].astype(np.int32) & 0x3F
    cp = np.where(
        b0 < 0xE0,
        ((b0 & 0x1F) << 6) | b1,
        np.where(
            b0 < 0xF0,
            ((b0 & 0x0F) << 12) | (b1 << 6) | b2,
            ((b0 & 0x07) << 18) | (b1 << 12) | (b2 << 6) | b3,
        ),
    )
    k = np.searchsorted(_PLAIN_LO, cp, side="right") - 1
    return lead[(k < 0) | (cp > _PLAIN_HI[np.maximum(k, 0)])]


def _rows_of(offsets: Any, positions: Any) -> list[int]:
    """The distinct rows holding the byte `positions` (ascending), ascending."""
    rows = np.searchsorted(offsets, positions, side="right") - 1
    if len(rows) > 1:
        rows = rows[np.concatenate(([True], rows[1:] != rows[:-1]))]
    return rows.tolist()  # type: ignore[no-any-return]
