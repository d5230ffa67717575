"""Character anomalies in the text: C0 controls other than tab/newline/CR, DEL, U+FFFD, lone
surrogates, and mojibake (UTF-8 read as cp1252/latin-1, e.g. "cafÃ©", "â€”").

One vectorised pass per batch over the UTF-8 bytes of the shared text column (numpy,
`bytescan`: a Rust regex over this character class ran at a third of the speed) finds the texts
that may hold an anomaly: a control byte, U+FFFD, or a mojibake lead lookalike U+00C2-U+00EF
followed by a character that starts like a continuation lookalike; most texts have none, and a
text with an accented letter ("café") is not picked unless such a pair follows. Only those are
classified here, by the exact patterns below. A lone surrogate, which polars cannot hold, is
U+FFFD in the shared column, so its text is picked too. A U+FFFD that is part of a mojibake
sequence ("â€\\ufffd") counts as mojibake only.
Metrics: `charset_anomaly_count`, `charset_anomaly_rate` (records with any), and per kind
`control_char_rate`, `replacement_char_rate`, `lone_surrogate_rate`, `mojibake_rate`.
"""

from __future__ import annotations

import re
from typing import Any

from dataflywheel.checks.base import Check, CheckResult, Partial, RecordBatch
from dataflywheel.checks.metrics import gated_rate
from dataflywheel.checks.bytescan import TextBytes, byte_hits, byte_table, followed_by
from dataflywheel.checks.results import FlagPartial

_CONTROL = "\x00-\x08\x0b\x0c\x0e-\x1f\x7f"
# cp1252 renderings of UTF-8 continuation bytes 0x80-0xBF, plus U+FFFD for the undefined ones.
_CONT = "\u0080-\u00bf\u0152\u0153\u0160\u0161\u0178\u017d\u017e\u0192\u02c6\u02dc\u2013\u2014\u2018-\u201a\u201c-\u201e\u2020-\u2022\u2026\u2030\u2039\u203a\u20ac\u2122\ufffd"
# One character class per pattern: `re` scans a leading class quickly, an alternation slowly.
_MOJIBAKE = re.compile(f"[\u00c2-\u00ef][{_CONT}]")  # a 3-byte lead (U+00E0-U+00EF) needs 2
_CONT_SET = frozenset(chr(c) for c in range(0x80, 0xC0)) | frozenset(
    "\u0152\u0153\u0160\u0161\u0178\u017d\u017e\u0192\u02c6\u02dc\u2013\u2014\u2018\u2019\u201a"
    "\u201c\u201d\u201e\u2020\u2021\u2022\u2026\u2030\u2039\u203a\u20ac\u2122\ufffd"
)
_CONTROL_RE = re.compile(f"[{_CONTROL}]")  # the only anomaly an ASCII text can have
_SURROGATE = re.compile("[\ud800-\udfff]")


def _mojibake(text: str) -> list[str]:
    found = []
    for m in _MOJIBAKE.finditer(text):
        if m.group()[0] >= "\u00e0":
            end = m.end()
            if end >= len(text) or text[end] not in _CONT_SET:
                continue
            found.append(text[m.start() : end + 1])
        else:
            found.append(m.group())
    return found


KINDS = {
    "control_char_rate": "control_char",
    "replacement_char_rate": "replacement_char",
    "lone_surrogate_rate": "lone_surrogate",
    "mojibake_rate": "mojibake",
}
_ALL = {"charset_anomaly_rate": "any", **KINDS}


# Bytes (UTF-8) of the suspects: a control is one ASCII byte; a lead lookalike U+00C2-U+00EF is
# C3 82-AF, and each of its continuation lookalikes (_CONT) starts with C2, C5, C6, CB, E2 or EF.
# U+FFFD is EF BF BD (a lone surrogate is U+FFFD in the text column).
_CONTROL_BYTES = byte_table((0x00, 0x08), (0x0B, 0x0C), (0x0E, 0x1F), (0x7F, 0x7F))
_LEAD_SECOND = byte_table((0x82, 0xAF))
_CONT_FIRST = byte_table((0xC2, 0xC2), (0xC5, 0xC6), (0xCB, 0xCB), (0xE2, 0xE2), (0xEF, 0xEF))
_BF = byte_table((0xBF, 0xBF))
_BD = byte_table((0xBD, 0xBD))


def _control_bytes(data: Any) -> Any:
    """Positions of a control byte (one byte each)."""
    import numpy as np

    low = np.flatnonzero(data < 0x20)
    return np.concatenate((low[_CONTROL_BYTES[data[low]]], byte_hits(data, 0x7F)))


def _three_byte_suspects(data: Any) -> Any:
    """Positions of U+FFFD and of a lead lookalike followed by a character that starts like a
    continuation lookalike (three bytes each)."""
    import numpy as np

    lead = followed_by(data, byte_hits(data, 0xC3), 1, _LEAD_SECOND)
    moji = followed_by(data, lead, 2, _CONT_FIRST)
    fffd = followed_by(data, followed_by(data, byte_hits(data, 0xEF), 1, _BF), 2, _BD)
    return np.concatenate((moji, fffd))


def suspects(texts: list[str], scan: TextBytes | None = None) -> list[int]:
    """Indexes of the texts that may hold an anomaly, in order: a necessary condition of
    `anomalies(text)` finding anything (a control, U+FFFD or a lone surrogate, or a mojibake
    lead lookalike followed by a character that starts like a continuation lookalike), found
    on the UTF-8 bytes (`bytescan`). `scan`: the texts' bytes (`RecordBatch.text_bytes`, lone
    surrogates as U+FFFD), packed here when not given."""
    import numpy as np

    scan = TextBytes.of(texts) if scan is None else scan
    hits = (scan.hit_rows(_control_bytes), scan.hit_rows(_three_byte_suspects, span=3))
    return [int(i) for i in np.unique(np.concatenate(hits))]


def anomalies(text: str) -> list[tuple[str, str]]:
    """(kind, detail) for every anomaly kind present in `text`."""
    found: list[tuple[str, str]] = []
    if m := _CONTROL_RE.search(text):
        found.append(("control_char", f"U+{ord(m.group()):04X} at char {m.start()}"))
    moji = _mojibake(text)
    if text.count("\ufffd") > sum(s.count("\ufffd") for s in moji):
        found.append(("replacement_char", f"U+FFFD at char {text.index(chr(0xFFFD))}"))
    if m := _SURROGATE.search(text):
        found.append(("lone_surrogate", f"U+{ord(m.group()):04X} at char {m.start()}"))
    if moji:
        found.append(
            ("mojibake", f"{moji[0].encode('utf-8', 'surrogatepass').decode('utf-8', 'replace')!r}")
        )
    return found


class CharsetCheck(Check):
    """Flags records whose text has control characters, U+FFFD, lone surrogates or mojibake."""

    name = "charset"
    on_by_default = True
    described = (gated_rate("charset_anomaly_rate"),)
    metrics = ("charset_anomaly_count", "charset_anomaly_rate", *KINDS)

    def partial(self, batch: RecordBatch) -> FlagPartial:
        part = FlagPartial(limit=self.plan.max_examples)
        part.count_groups(batch.groups)
        file = batch.file
        for i in suspects(batch.texts, batch.text_bytes()):
            found = anomalies(batch.texts[i])
            if not found:  # a lead byte lookalike without its continuation: not an anomaly
                continue
            row_base = (file, batch.lines[i], batch.ids[i])
            group = batch.groups[i]
            part.flag("any", (*row_base, "; ".join(f"{k}: {d}" for k, d in found)), group)
            for kind, detail in found:
                part.flag(kind, (*row_base, detail), group)
        return part

    def finish(self, partial: Partial) -> CheckResult:
        assert isinstance(partial, FlagPartial)
        return CheckResult(
            check=self.name,
            metrics={
                "charset_anomaly_count": float(partial.flagged.get("any", 0)),
                **partial.rates(_ALL),
            },
            examples=partial.examples_for(_ALL),
            breakdown=partial.group_rates(_ALL),
        )


CHECKS: list[type[Check]] = [CharsetCheck]
