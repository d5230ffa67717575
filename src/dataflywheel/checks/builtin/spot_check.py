"""Spot checks: a deterministic stratified sample for human review, and the reviewers' verdicts.

The sample (`stats.sampling`): per stratum (the value at `stratify_by`, "(none)" when absent) the
records with the smallest keyed hash of their id, allocated proportionally with at least one per
stratum. Same seed + same records => same sample, however the input was sharded.

Verdicts (`reviews`, read when the check is built so a bad file fails before any batch is read):
JSONL of `{"record_id", "verdict": "pass"|"fail"|null, "reviewer", "note"?}` (null: not yet
reviewed; `write_review_sheet` writes such a sheet from a report). Refused with the file and
line: invalid JSON, unknown or missing fields, another verdict, a second verdict for one record;
at finish, a verdict for a record that is not in the sample.

Metrics: `spot_check_pass_rate` (passes over reviewed sampled records; 0.0 when none reviewed),
`spot_check_sample_size`, `spot_check_reviewed`, `spot_check_pending`.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal, Self

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from dataflywheel.checks.base import Check, CheckResult, Example, Partial, RecordBatch
from dataflywheel.checks.metrics import gated_rate
from dataflywheel.checks.fields import compile_path, get_scalar
from dataflywheel.checks.plan import CheckPlan, Settings
from dataflywheel.checks.results import rate
from dataflywheel.checks.stats.sampling import BottomK, Candidate, draw, sample_keys
from dataflywheel.errors import BadInput, NotFound


class SpotCheckSpec(Settings):
    sample_size: int = Field(default=50, ge=1)
    stratify_by: str | None = None
    seed: int = 0
    reviews: str | None = Field(default=None, description="file of reviewer verdicts (JSONL)")


NO_STRATUM = "(none)"


class Verdict(BaseModel):
    """One reviewer's verdict on one sampled record; `verdict: null` is a line not yet reviewed
    (as written by `write_review_sheet`), and then needs no reviewer."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    record_id: str
    verdict: Literal["pass", "fail"] | None
    reviewer: str | None = None
    note: str = ""
    file: str | None = None
    line: int | None = None
    stratum: str | None = None

    @model_validator(mode="after")
    def _reviewer_named(self) -> Verdict:
        if self.verdict is not None and not (self.reviewer and self.reviewer.strip()):
            raise ValueError("a verdict needs the reviewer who gave it")
        return self


def load_verdicts(path: str | Path) -> dict[str, tuple[int, Verdict]]:
    """record id -> (line, verdict); BadInput naming the file and line for anything malformed."""
    import msgspec

    path = Path(path)
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        raise NotFound("spot-check verdict file not found", path=str(path)) from None
    out: dict[str, tuple[int, Verdict]] = {}
    for n, line in enumerate(raw.splitlines(), start=1):
        if not line.strip():
            continue
        try:
            verdict = Verdict.model_validate(msgspec.json.decode(line))
        except msgspec.DecodeError as exc:
            raise BadInput(
                "verdict line is not valid JSON", path=str(path), line=n, got=str(exc)
            ) from None
        except ValidationError as exc:
            first = exc.errors()[0]
            raise BadInput(
                "invalid verdict",
                path=str(path),
                line=n,
                field=".".join(str(p) for p in first["loc"]) or "(line)",
                expected=first["msg"],
                got=first.get("input"),
            ) from None
        if verdict.record_id in out:
            raise BadInput(
                f"second verdict for record {verdict.record_id!r}",
                path=str(path),
                line=n,
                expected=f"one verdict per record (first at line {out[verdict.record_id][0]})",
            )
        out[verdict.record_id] = (n, verdict)
    return out


@dataclass(slots=True)
class SpotCheckPartial(Partial):
    """Per stratum: the record count and the `k` first candidates in sampling order (plain data)."""

    k: int
    counts: dict[str, int] = field(default_factory=dict)
    smallest: dict[str, list[Candidate]] = field(default_factory=dict)
    records: int = 0

    @property
    def bottom(self) -> BottomK:
        return BottomK(self.k, self.counts, self.smallest)

    def __add__(self, other: Self) -> Self:
        merged = self.bottom + other.bottom
        self.counts, self.smallest = merged.counts, merged.smallest
        self.records += other.records
        return self


class SpotCheck(Check):
    """A stratified review sample and the pass rate of the verdicts recorded for it."""

    name = "spot_check"
    settings = SpotCheckSpec
    described = (gated_rate("spot_check_pass_rate", higher_is_better=True),)
    metrics = (
        "spot_check_pass_rate",
        "spot_check_sample_size",
        "spot_check_reviewed",
        "spot_check_pending",
    )

    def __init__(self, plan: CheckPlan) -> None:
        super().__init__(plan)
        self.spec = self.settings_in(plan) or SpotCheckSpec()
        self.stratum = compile_path(self.spec.stratify_by) if self.spec.stratify_by else None
        self._stamp: tuple[int, int] | None = None
        self._verdicts: dict[str, tuple[int, Verdict]] = {}
        _ = self.verdicts  # read now: a bad verdict file fails before any batch is read

    @property
    def verdicts(self) -> dict[str, tuple[int, Verdict]]:
        """record id -> (line, verdict), re-read when the file changed (engines keep checks)."""
        if not self.spec.reviews:
            return {}
        try:
            st = os.stat(self.spec.reviews)
            stamp = (st.st_size, st.st_mtime_ns)
        except OSError:
            stamp = None
        if stamp is None or stamp != self._stamp:
            self._verdicts = load_verdicts(self.spec.reviews)
            self._stamp = stamp
        return self._verdicts

    def partial(self, batch: RecordBatch) -> SpotCheckPartial:
        bottom = BottomK(self.spec.sample_size).add_many(
            self._strata(batch.values),
            sample_keys(batch.ids, self.spec.seed),
            batch.file,
            batch.lines,
            batch.ids,
        )
        return SpotCheckPartial(bottom.k, bottom.counts, bottom.smallest, records=len(batch))

    def _strata(self, values: list[Any]) -> list[str]:
        """The stratum of every record; a plain top-level key (the usual `stratify_by`) is read
        without walking the path."""
        path = self.stratum
        if path is None:
            return [NO_STRATUM] * len(values)
        if len(path) == 1 and path[0] is not None:
            key = path[0]
            out = []
            for v in values:
                got = v.get(key) if type(v) is dict else None
                out.append(got if type(got) is str else _stratum_label(got))
            return out
        return [_stratum_label(get_scalar(v, path)) for v in values]

    def finish(self, partial: Partial) -> CheckResult:
        assert isinstance(partial, SpotCheckPartial)
        sample = draw(partial.bottom, self.spec.sample_size)
        verdicts = self.verdicts
        self._refuse_strangers({c[3] for _, c in sample}, verdicts)
        rows = [_row(stratum, c, verdicts) for stratum, c in sample]
        reviewed = [r for r in rows if r["verdict"] is not None]
        passed = sum(1 for r in reviewed if r["verdict"] == "pass")
        failed = [r for r in rows if r["verdict"] == "fail"]
        return CheckResult(
            check=self.name,
            metrics={
                "spot_check_pass_rate": rate(passed, len(reviewed)),
                "spot_check_sample_size": float(len(rows)),
                "spot_check_reviewed": float(len(reviewed)),
                "spot_check_pending": float(len(rows) - len(reviewed)),
            },
            examples=_examples(failed, self.plan.max_examples),
            sections={
                "seed": self.spec.seed,
                "stratify_by": self.spec.stratify_by,
                "strata": _strata(partial.bottom.counts, rows),
                "sample": rows,
            },
        )

    def _refuse_strangers(
        self, in_sample: set[str], verdicts: dict[str, tuple[int, Verdict]]
    ) -> None:
        strangers = sorted(
            (line, rid) for rid, (line, _) in verdicts.items() if rid not in in_sample
        )
        if strangers:
            line, rid = strangers[0]
            raise BadInput(
                f"verdict for record {rid!r}, which is not in the spot-check sample"
                f" ({len(strangers)} such verdict(s))",
                path=self.spec.reviews,
                line=line,
                expected="verdicts only for the sampled records (same batch, seed and sample_size)",
                hint="review the records listed in the report's spot_check sample",
            )


def _stratum_label(got: Any) -> str:
    """The stratum named by the value found at `stratify_by`."""
    if got is None or isinstance(got, dict | list):
        return NO_STRATUM
    if isinstance(got, int) and abs(got) >= 10**18:  # str() may refuse a huge integer
        return f"(integer of {got.bit_length()} bits)"
    return str(got)


def _row(stratum: str, cand: Candidate, verdicts: dict[str, tuple[int, Verdict]]) -> dict[str, Any]:
    _, file, line, rid = cand
    seen = verdicts.get(rid)
    verdict = seen[1] if seen and seen[1].verdict is not None else None
    return {
        "file": file,
        "line": line,
        "record_id": rid,
        "stratum": stratum,
        "verdict": verdict.verdict if verdict else None,
        "reviewer": verdict.reviewer if verdict else None,
        "note": verdict.note if verdict else None,
    }


def _strata(counts: dict[str, int], rows: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    out: dict[str, dict[str, Any]] = {}
    for stratum, n in sorted(counts.items()):
        mine = [r for r in rows if r["stratum"] == stratum]
        done = [r for r in mine if r["verdict"] is not None]
        out[stratum] = {
            "records": n,
            "sampled": len(mine),
            "reviewed": len(done),
            "pass_rate": rate(sum(r["verdict"] == "pass" for r in done), len(done)),
        }
    return out


def _examples(failed: list[dict[str, Any]], limit: int) -> dict[str, list[Example]]:
    rows = sorted(failed, key=lambda r: (r["file"], r["line"]))[:limit]
    out = [
        Example(
            file=r["file"],
            line=r["line"],
            record_id=r["record_id"],
            detail=f"failed review by {r['reviewer']}: {r['note']}",
        )
        for r in rows
    ]
    return {"spot_check_pass_rate": out} if out else {}


def write_review_sheet(result: CheckResult, path: str | Path) -> int:
    """Write the sample as a JSONL sheet for reviewers (verdict left empty), atomically."""
    import json

    from dataflywheel.atomicfile import atomic_text

    rows = result.sections.get("sample", [])
    with atomic_text(path) as out:
        for r in rows:
            out.write(json.dumps(sheet_line(r), ensure_ascii=False) + "\n")
    return len(rows)


def sheet_line(r: dict[str, Any]) -> dict[str, Any]:
    """One sampled record as a line of the review sheet, in the sheet's column order."""
    return {"record_id": r["record_id"], "verdict": r["verdict"], "reviewer": r["reviewer"],
            "note": r["note"] or "", "file": r["file"], "line": r["line"], "stratum": r["stratum"]}


CHECKS: list[type[Check]] = [SpotCheck]
