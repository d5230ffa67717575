"""Personal data found by pattern: e-mail, phone numbers (international and North American
formats), IPv4, IPv6, payment cards (13-19 digits passing Luhn), and the plan's own id patterns.

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
from typing import Any

from dataflywheel.checks.base import Check, CheckResult, Partial, RecordBatch, text_column
from dataflywheel.checks.plan import CheckPlan
from dataflywheel.checks.results import FlagPartial
from dataflywheel.errors import BadInput

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
)
_CARD = re.compile(r"(?<![\d+])(?:\d{4}[ -]?){3}\d{1,7}|\d{4}[ -]?\d{6}[ -]?\d{4,5}")
# Necessary conditions (Rust regex, for polars) of a hit of each digit kind: a phone cluster
# fully matches _PHONE, so the text holds one of its two shapes; a card cluster holds a _CARD
# match; an IPv4 hit is a dotted quad. Clusters hold ASCII digits only.
_HINTS = {
    "phone": (  # international: "+" starts the cluster, which no letter, digit, "." or "_" precedes
        r"(?:^|[^0-9A-Za-z._])\+[0-9]{1,3}[ .-]?(?:\([0-9]{1,4}\)[ .-]?)?[0-9]{1,4}"
        r"(?:[ .-]?[0-9]{2,4}){1,4}|(?:\([0-9]{3}\) ?|[0-9]{3}[-. ])[0-9]{3}[-. ][0-9]{4}"
    ),
    "card": r"(?:[0-9]{4}[ -]?){3}[0-9]|[0-9]{4}[ -]?[0-9]{6}[ -]?[0-9]{4}",
    "ipv4": r"[0-9]\.[0-9]{1,3}\.[0-9]{1,3}\.[0-9]",
}
_IPV6_CAND = re.compile(r"(?<![\w:])[0-9A-Fa-f]{0,4}(?::[0-9A-Fa-f]{0,4}){2,7}(?![\w:])")


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
        if before.isalnum() or before in "._" or after.isalnum() or after == "_":
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


def _ipv6(text: str) -> Iterator[tuple[str, int, int]]:
    for m in _IPV6_CAND.finditer(text):
        try:
            ipaddress.IPv6Address(m.group())
        except ValueError:
            continue
        yield "ipv6", m.start(), m.end()


class PiiCheck(Check):
    """Counts records with personal data, per kind, with example record ids."""

    name = "pii"

    def __init__(self, plan: CheckPlan) -> None:
        super().__init__(plan)
        spec = plan.checks.pii
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
        spec = plan.checks.pii
        kinds = list(dict.fromkeys(spec.kinds)) + sorted(spec.id_patterns) if spec else []
        return ("pii_count", "pii_rate") + tuple(
            f"pii_{k}_{s}" for k in kinds for s in ("count", "rate")
        )

    def find(self, text: str) -> list[tuple[str, int, int]]:
        """(kind, start, end) of every match of an enabled kind, grouped by kind."""
        kinds = self.kinds
        found: list[tuple[str, int, int]] = []
        if "email" in kinds and "@" in text:
            found.extend(("email", m.start(), m.end()) for m in _EMAIL.finditer(text))
        if ("ipv6" in kinds) and ("::" in text or text.count(":") >= 7):
            found.extend(_ipv6(text))
        found.extend(hit for hit in _digit_kinds(text) if hit[0] in kinds)
        for name, pattern in self.custom:
            found.extend((name, m.start(), m.end()) for m in pattern.finditer(text))
        return found

    def candidates(self, texts: list[str], column: Any = None) -> list[int]:
        """Indexes of the texts that may hold a hit of an enabled kind (every one with custom
        patterns), in order; a necessary condition of `find` returning anything. `column`: the
        texts as a polars Series (`RecordBatch.text_column`), built here when not given."""
        if self.custom or not texts:
            return list(range(len(texts)))
        import numpy as np
        import polars as pl

        col = text_column(texts) if column is None else column  # a lone surrogate: U+FFFD
        hint = pl.repeat(False, len(texts), eager=True)
        if "email" in self.kinds:
            hint = hint | col.str.contains("@", literal=True)
        if "ipv6" in self.kinds:
            colons = col.str.count_matches(":", literal=True) >= 7
            hint = hint | colons | col.str.contains("::", literal=True)
        digit_hints = [_HINTS[k] for k in _HINTS if k in self.kinds]
        if digit_hints:
            hint = hint | col.str.contains("|".join(digit_hints))
        return [int(i) for i in np.flatnonzero(hint.to_numpy())]

    def partial(self, batch: RecordBatch) -> FlagPartial:
        part = FlagPartial(limit=self.plan.max_examples)
        part.count_groups(batch.groups)
        for i in self.candidates(batch.texts, batch.text_column()):
            text = batch.texts[i]
            found = self.find(text)
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
