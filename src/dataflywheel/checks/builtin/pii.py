"""Personal data found by pattern: e-mail, phone numbers (international, North American and
Chinese mobile formats), IPv4, IPv6, payment cards (13-19 digits passing Luhn), and the plan's own
id patterns (a contract adds them as `flywheelOperational.piiPatterns`).

Speed: the naive pass spent most of its time running every regex over every text. Here one
vectorised pass per batch (polars, Rust regex) picks the texts that can hold a hit: "@" for
e-mail, "::" or seven colons for IPv6, the shape of each digit kind (`_HINTS`) for phone, card
and IPv4. Only those texts go through the exact Python patterns,
and there the digit patterns run only on the short digit clusters one scan finds. The picking is
a necessary condition of every hit, so the result is the same as scanning every text.
Reports never contain the matched text unless the plan says `reveal: true`; examples give the
kind and character offsets. Metrics: `pii_count`, `pii_rate` (records with any), and per kind
`pii_<kind>_count`, `pii_<kind>_rate` (kinds: the plan's `kinds`, then its `id_patterns` names).
"""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Iterator
from typing import Any, Literal

import numpy as np
from pydantic import Field

from dataflywheel.checks.base import Check, CheckResult, Partial, RecordBatch
from dataflywheel.checks.metrics import gated_rate
from dataflywheel.checks.bytescan import byte_hits, byte_table, followed_by
from dataflywheel.checks.plan import CheckPlan, Settings
from dataflywheel.checks.results import FlagPartial
from dataflywheel.checks.textpack import COLUMN_MODULES
from dataflywheel.errors import BadInput


PiiKind = Literal["email", "phone", "ipv4", "ipv6", "card"]
PII_KINDS: tuple[PiiKind, ...] = ("email", "phone", "ipv4", "ipv6", "card")


class PiiSpec(Settings):
    kinds: list[PiiKind] = Field(default_factory=lambda: list(PII_KINDS))
    id_patterns: dict[str, str] = Field(default_factory=dict, description="name -> regex")
    reveal: bool = False


_EMAIL = re.compile(r"[A-Za-z0-9][A-Za-z0-9._%+-]*@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}")
# No look-around here: a plain character-class prefix lets `re` scan fast; boundaries are
# checked in Python on the few matches.
_CLUSTER = re.compile(r"[0-9+(][0-9 .()/-]{5,}[0-9]")
_IPV4 = re.compile(
    r"(?<![\d.])(?:(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)\.){3}(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(?![\d]|\.\d)"
)
_PHONE = re.compile(
    r"\+\d{1,3}[ .-]?(?:\(\d{1,4}\)[ .-]?)?\d{1,4}(?:[ .-]?\d{2,4}){1,4}"  # international, +CC
    r"|(?:\(\d{3}\) ?|\d{3}[-. ])\d{3}[-. ]\d{4}"  # North American 3-3-4
    r"|1[3-9]\d(?:\d{8}| \d{4} \d{4}|-\d{4}-\d{4})"  # Chinese mobile: 13800138000, 138 0013 8000
)
_CARD = re.compile(r"(?<![\d+])(?:\d{4}[ -]?){3}\d{1,7}|\d{4}[ -]?\d{6}[ -]?\d{4,5}")
# Necessary conditions (Rust regex, for polars) of a hit of each digit kind: a phone cluster
# fully matches _PHONE, so the text holds one of its two shapes; a card cluster holds a _CARD
# match; an IPv4 hit is a dotted quad. Clusters hold ASCII digits only.
_HINTS = {
    "phone": (  # international: "+" starts the cluster, which no letter, digit, "." or "_" precedes
        r"(?:^|[^0-9A-Za-z._])\+[0-9]{1,3}[ .-]?(?:\([0-9]{1,4}\)[ .-]?)?[0-9]{1,4}"
        r"(?:[ .-]?[0-9]{2,4}){1,4}|(?:\([0-9]{3}\) ?|[0-9]{3}[-. ])[0-9]{3}[-. ][0-9]{4}"
        r"|1[3-9][0-9][ -]?[0-9]{4}[ -]?[0-9]{4}"  # Chinese mobile, separators unchecked
    ),
    "card": r"(?:[0-9]{4}[ -]?){3}[0-9]|[0-9]{4}[ -]?[0-9]{6}[ -]?[0-9]{4}",
    "ipv4": r"[0-9]\.[0-9]{1,3}\.[0-9]{1,3}\.[0-9]",
}
_COLON = byte_table((0x3A, 0x3A))
_IPV6_CAND = re.compile(r"(?<![\w:])[0-9A-Fa-f]{0,4}(?::[0-9A-Fa-f]{0,4}){2,7}(?![\w:])")


def _at(data: Any) -> Any:
    return byte_hits(data, 0x40)  # "@"


def _colon(data: Any) -> Any:
    return byte_hits(data, 0x3A)


def _double_colon(data: Any) -> Any:
    return followed_by(data, byte_hits(data, 0x3A), 1, _COLON)


def luhn(digits: str) -> bool:
    total = 0
    for i, ch in enumerate(reversed(digits)):
        d = ord(ch) - 48
        if i % 2:
            d = d * 2 - 9 if d > 4 else d * 2
        total += d
    return total % 10 == 0


def _digit_count(cluster: str) -> int:
    return len(cluster) - sum(cluster.count(c) for c in " .()/-+")


def _glued(ch: str) -> bool:
    """Does `ch` make a digit run part of a word? ASCII letters, any digit and "_" do; CJK text
    writes numbers right after its characters ("手机号13800138000"), so those do not."""
    return ch == "_" or ch.isdigit() or (ch.isascii() and ch.isalnum())


def _digit_kinds(text: str) -> Iterator[tuple[str, int, int]]:
    for m in _CLUSTER.finditer(text):
        cluster, base = m.group(), m.start()
        before = text[base - 1] if base else " "
        after = text[m.end()] if m.end() < len(text) else " "
        if cluster.count(".") >= 3:  # IPv4 has its own boundaries inside the cluster
            hits = [(base + ip.start(), base + ip.end()) for ip in _IPV4.finditer(cluster)]
            if hits:
                yield from (("ipv4", s, e) for s, e in hits)
                continue
        if _glued(before) or before == "." or _glued(after):
            continue
        digits = _digit_count(cluster)
        if digits >= 13 and cluster[0] not in "+(":
            card = _CARD.search(cluster)
            if card:
                number = re.sub(r"\D", "", card.group())
                if 13 <= len(number) <= 19 and luhn(number):
                    yield "card", base + card.start(), base + card.end()
                    continue
        if 7 <= digits <= 15 and _PHONE.fullmatch(cluster.strip(" .-/")):
            yield "phone", base, base + len(cluster)


def ipv6_candidates(text: str) -> Iterator[re.Match[str]]:
    """The matches of `_IPV6_CAND.finditer(text)`, found faster. `finditer` tries the pattern at
    every position, and each try that starts in a word backtracks through its hex letters. A
    match has a ":" at most 4 characters after its start, so only the 5 positions up to each
    colon are tried (`match` there, lookbehind seeing the whole text), in order, resuming after
    each match as `finditer` does: the same matches."""
    pos = 0
    colon = text.find(":")
    while colon != -1:
        for start in range(max(pos, colon - 4), colon + 1):
            m = _IPV6_CAND.match(text, start)
            if m is not None:
                yield m
                pos = m.end()  # never empty: the pattern needs two colons
                break
        else:
            pos = colon + 1
        colon = text.find(":", pos)


_LOCAL = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789._%+-")
_ALNUM = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789")


def email_matches(text: str) -> Iterator[re.Match[str]]:
    """The matches of `_EMAIL.finditer(text)`, found faster. `finditer` tries every position of
    every word. A match's local part is the run of local-part characters just before its "@"
    ("@" is not one of them), starting at the run's first letter or digit, and whether the domain
    after the "@" matches does not depend on that start: so per "@" only that one start is tried,
    in order, resuming after each match as `finditer` does: the same matches."""
    pos = 0
    at = text.find("@")
    while at != -1:
        start = at
        while start > pos and text[start - 1] in _LOCAL:
            start -= 1
        while start < at and text[start] not in _ALNUM:
            start += 1
        m = _EMAIL.match(text, start) if start < at else None
        if m is not None:
            yield m
            pos = m.end()
        else:
            pos = at + 1
        at = text.find("@", pos)


def _ipv6(text: str) -> Iterator[tuple[str, int, int]]:
    for m in ipv6_candidates(text):
        try:
            ipaddress.IPv6Address(m.group())
        except ValueError:
            continue
        yield "ipv6", m.start(), m.end()


class PiiCheck(Check):
    """Counts records with personal data, per kind, with example record ids."""

    name = "pii"
    settings = PiiSpec
    needs_text_fields = True
    described = (gated_rate("pii_rate"),)
    modules = COLUMN_MODULES  # its columns are polars Series

    def __init__(self, plan: CheckPlan) -> None:
        super().__init__(plan)
        spec: PiiSpec | None = self.settings_in(plan)
        assert spec is not None
        self.kinds = list(dict.fromkeys(spec.kinds))
        self.reveal = spec.reveal
        self.custom: list[tuple[str, re.Pattern[str]]] = []
        for name, pattern in sorted(spec.id_patterns.items()):
            try:
                self.custom.append((name, re.compile(pattern)))
            except re.error as exc:
                raise BadInput(
                    "invalid id pattern",
                    field=f"checks.pii.id_patterns.{name}",
                    expected="a Python regex",
                    got=str(exc),
                ) from None
        self.keys = {"pii_rate": "any", **{f"pii_{k}_rate": k for k in self.all_kinds}}

    @property
    def all_kinds(self) -> list[str]:
        return self.kinds + [name for name, _ in self.custom]

    @classmethod
    def metric_names(cls, plan: CheckPlan) -> tuple[str, ...]:
        spec: PiiSpec | None = cls.settings_in(plan)
        kinds = list(dict.fromkeys(spec.kinds)) + sorted(spec.id_patterns) if spec else []
        return ("pii_count", "pii_rate") + tuple(
            f"pii_{k}_{s}" for k in kinds for s in ("count", "rate")
        )

    def find(self, text: str) -> list[tuple[str, int, int]]:
        """(kind, start, end) of every match of an enabled kind, grouped by kind."""
        return self._find(text, True, True, True)

    def _find(self, text: str, email: bool, ipv6: bool, digits: bool) -> list[tuple[str, int, int]]:
        """`find`, skipping the families a prefilter ruled out (`email`, `ipv6`, `digits`
        false: that family cannot match in `text`), so the result is the same."""
        kinds = self.kinds
        found: list[tuple[str, int, int]] = []
        if email and "email" in kinds and "@" in text:
            found.extend(("email", m.start(), m.end()) for m in email_matches(text))
        if ipv6 and ("ipv6" in kinds) and ("::" in text or text.count(":") >= 7):
            found.extend(_ipv6(text))
        if digits:
            found.extend(hit for hit in _digit_kinds(text) if hit[0] in kinds)
        for name, pattern in self.custom:
            found.extend((name, m.start(), m.end()) for m in pattern.finditer(text))
        return found

    def candidates(self, texts: list[str]) -> list[int]:
        """Indexes of the texts that may hold a hit of an enabled kind (every one with custom
        patterns), in order; a necessary condition of `find` returning anything."""
        families = self._families(RecordBatch("", texts=texts))
        return [int(i) for i in np.flatnonzero(families.any(axis=1))]

    def _families(self, batch: RecordBatch) -> Any:
        """A (texts, 3) boolean array: may the text hold an e-mail, an IPv6 address, a digit
        kind (phone, card, IPv4)? All true with custom patterns (they must see every text).
        Read from the batch's shared bytes and column (a lone surrogate is U+FFFD there)."""
        texts = batch.texts
        out = np.zeros((len(texts), 3), bool)
        if self.custom:
            out[:] = True
        if self.custom or not texts:
            return out
        scan = batch.text_bytes()
        if "email" in self.kinds:
            out[scan.hit_rows(_at), 0] = True
        if "ipv6" in self.kinds:
            colons = np.bincount(scan.hit_rows(_colon), minlength=len(texts))  # rare: sparse
            out[colons >= 7, 1] = True
            out[scan.hit_rows(_double_colon, span=2), 1] = True
        digit_hints = [_HINTS[k] for k in _HINTS if k in self.kinds]
        if digit_hints:
            column = batch.text_column()
            out[:, 2] = column.str.contains("|".join(digit_hints)).to_numpy()
        return out

    def partial(self, batch: RecordBatch) -> FlagPartial:
        part = FlagPartial(limit=self.plan.max_examples)
        part.count_groups(batch.groups)
        if not len(batch):
            return part
        families = self._families(batch)
        for i in np.flatnonzero(families.any(axis=1)).tolist():
            text = batch.texts[i]
            email, ipv6, digits = families[i].tolist()
            found = self._find(text, email, ipv6, digits)
            if not found:
                continue
            row = (batch.file, batch.lines[i], batch.ids[i])
            part.flag("any", (*row, self._detail(text, found)), batch.groups[i])
            for kind in dict.fromkeys(k for k, _, _ in found):
                part.flag(
                    kind,
                    (*row, self._detail(text, [f for f in found if f[0] == kind])),
                    batch.groups[i],
                )
        return part

    def _detail(self, text: str, found: list[tuple[str, int, int]]) -> str:
        if self.reveal:
            return ", ".join(f"{k} {text[s:e]!r}" for k, s, e in found)
        return ", ".join(f"{k} at chars {s}-{e}" for k, s, e in found)

    def finish(self, partial: Partial) -> CheckResult:
        assert isinstance(partial, FlagPartial)
        metrics = {
            "pii_count": float(partial.flagged.get("any", 0)),
            "pii_rate": partial.rates({"r": "any"})["r"],
        }
        for kind in self.all_kinds:
            metrics[f"pii_{kind}_count"] = float(partial.flagged.get(kind, 0))
            metrics[f"pii_{kind}_rate"] = partial.rates({"r": kind})["r"]
        return CheckResult(
            check=self.name,
            metrics=metrics,
            examples=partial.examples_for(self.keys),
            breakdown=partial.group_rates(self.keys),
        )


CHECKS: list[type[Check]] = [PiiCheck]
