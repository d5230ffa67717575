"""Contamination: records of the batch that overlap a reference (evaluation) set.

The reference files (`checks.contamination.reference`) are read once, when the check is built,
with the same readers as the batch, each taking the text at its own fields: a `{path,
text_fields}` entry's, else `reference_text_fields`, else the plan's `text_fields`. A batch
record and a reference record overlap when the share of word n-grams (`ngram`, default 8) they
have in common, over the n-grams of the smaller of the two, is >= `threshold` (see
`similarity.ngrams`). Every overlapping pair is listed with both sides.

Metrics: `contamination_rate` (batch records overlapping at least one reference record, over all
batch records), `contamination_count`, `contaminated_reference_count` (reference records hit),
`contaminated_reference_rate` (over reference records with text).

A reference file none of whose records has a word at its text fields (an evaluation set read at
the training set's fields, say) was not compared with anything: the metrics are then undefined,
with the reason, so a gate on them fails instead of passing on 0 (`sections.reference.unusable`).
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from typing import Any, Self

from pydantic import Field

from dataflywheel.checks.base import Check, CheckResult, Example, Partial, RecordBatch
from dataflywheel.checks.metrics import gated_rate
from dataflywheel.checks.plan import CheckPlan, Settings
from dataflywheel.checks.results import rate
from dataflywheel.checks.similarity.ngrams import ReferenceIndex
from dataflywheel.errors import BadInput


class ReferenceFile(Settings):
    """One reference file read at its own text fields (an evaluation set's, not the batch's)."""

    path: str
    text_fields: list[str] = Field(min_length=1)


class ContaminationSpec(Settings):
    reference: list[str | ReferenceFile] = Field(
        min_length=1,
        description="paths or fsspec URLs of the reference (evaluation) set, or {path, "
                    "text_fields} for a file read at its own text fields",
    )
    reference_text_fields: list[str] | None = None
    ngram: int = Field(default=8, ge=1, le=64)
    threshold: float = Field(default=0.5, gt=0.0, le=1.0)

    @property
    def paths(self) -> list[str]:
        return [r if isinstance(r, str) else r.path for r in self.reference]

    def fields_of(self, entry: str | ReferenceFile, plan_fields: list[str]) -> list[str]:
        """The text fields a reference file is read at: its own, the spec's, or the plan's."""
        if isinstance(entry, ReferenceFile):
            return list(entry.text_fields)
        return list(self.reference_text_fields or plan_fields)


MAX_PAIRS_LISTED = 1000
SEED = 0x5EED
# (batch file, line, record id, group, reference row, shared n-grams, score)
Match = tuple[str, int, str, str | None, int, int, float]


_CACHE: dict[tuple[str, tuple[tuple[str, int, int], ...]], Reference] = {}


@dataclass(frozen=True, slots=True)
class Reference:
    """The reference set as read: where each row came from, its index, what was refused, and
    the files that gave no text to compare with (`unusable`: the metric is then undefined)."""

    files: list[str]
    where: list[tuple[str, int, str]]
    index: ReferenceIndex
    rejects: list[dict[str, Any]]
    unusable: list[dict[str, Any]] = field(default_factory=list)


def load_reference(plan: CheckPlan, spec: ContaminationSpec) -> Reference:
    """The reference set of this plan, read and indexed once per process while its files keep
    their size and modification time (engines may build the check once per shard)."""
    key = (plan.model_dump_json(), _stamp(spec.paths))
    found = _CACHE.get(key)
    if found is None:
        found = _read_reference(plan, spec)
        _CACHE.clear()  # keep one reference set per process
        _CACHE[key] = found
    return found


def _stamp(paths: list[str]) -> tuple[tuple[str, int, int], ...]:
    out = []
    for p in paths:
        try:
            st = os.stat(p)
            out.append((p, st.st_size, st.st_mtime_ns))
        except OSError:
            out.append((p, -1, -1))  # URLs and missing files: the reader says what is wrong
    return tuple(out)


def _read_reference(plan: CheckPlan, spec: ContaminationSpec) -> Reference:
    """Read every reference file (file order, line order), each at its own text fields, and
    index its n-grams; a file none of whose records has a word there is `unusable`."""
    from dataflywheel.checks.readers import read_file

    texts: list[str] = []
    where: list[tuple[str, int, str]] = []
    rejects: list[dict[str, Any]] = []
    spans: list[tuple[str, list[str], int, int]] = []  # (file, fields, first row, end row)
    for entry, path in zip(spec.reference, spec.paths, strict=True):
        fields = spec.fields_of(entry, list(plan.text_fields))
        ref_plan = plan.model_copy(update={"text_fields": fields, "breakdown_by": None})
        first = len(texts)
        for batch in read_file(path, ref_plan):
            texts.extend(batch.texts)
            where.extend(
                (batch.file, line, rid) for line, rid in zip(batch.lines, batch.ids, strict=True)
            )
            rejects.extend(r.to_dict() for r in batch.rejects)
        spans.append((path, fields, first, len(texts)))
    if not texts:
        raise BadInput(
            "the contamination reference set has no records",
            field="checks.contamination.reference",
            expected="at least one decodable record",
            got=", ".join(spec.paths),
        )
    index = ReferenceIndex(texts, ngram=spec.ngram, seed=SEED)
    return Reference(list(spec.paths), where, index, rejects, _unusable(index, spans))


def _unusable(index: ReferenceIndex, spans: list[tuple[str, list[str], int, int]]
              ) -> list[dict[str, Any]]:
    """The reference files whose records have no words at their text fields, with why."""
    out = []
    for path, fields, first, end in spans:
        if int((index.sizes[first:end] > 0).sum()) == 0:
            out.append({"file": path, "text_fields": fields, "records": end - first,
                        "reason": f"reference {path} has no text at {', '.join(fields)} "
                                  f"({end - first} record(s) read)"})
    return out


@dataclass(slots=True)
class ContaminationPartial(Partial):
    records: int = 0
    matches: list[Match] = field(default_factory=list)
    group_records: dict[str, int] = field(default_factory=dict)

    def __add__(self, other: Self) -> Self:
        self.records += other.records
        self.matches.extend(other.matches)
        for g, n in other.group_records.items():
            self.group_records[g] = self.group_records.get(g, 0) + n
        return self


class ContaminationCheck(Check):
    """Word n-gram overlap between the batch and a reference set, listed on both sides."""

    name = "contamination"
    settings = ContaminationSpec
    described = (gated_rate("contamination_rate"),)
    metrics = (
        "contamination_rate",
        "contamination_count",
        "contaminated_reference_count",
        "contaminated_reference_rate",
    )

    def __init__(self, plan: CheckPlan) -> None:
        super().__init__(plan)
        spec: ContaminationSpec | None = self.settings_in(plan)
        if spec is None:
            raise BadInput(
                "contamination check needs a reference set", field="checks.contamination.reference"
            )
        self.spec = spec
        self.reference  # read now: a missing or empty reference fails before any batch

    @property
    def reference(self) -> Reference:
        """The reference set, re-read if one of its files changed since (engines keep checks)."""
        return load_reference(self.plan, self.spec)

    def partial(self, batch: RecordBatch) -> ContaminationPartial:
        part = ContaminationPartial(records=len(batch))
        for g in batch.groups:
            if g is not None:
                part.group_records[g] = part.group_records.get(g, 0) + 1
        if not len(batch):
            return part
        found = self.reference.index.overlaps(batch.texts, threshold=self.spec.threshold)
        for row, ref, shared, score in zip(
            found.rows.tolist(),
            found.refs.tolist(),
            found.shared.tolist(),
            found.score.tolist(),
            strict=True,
        ):
            part.matches.append(
                (
                    batch.file,
                    batch.lines[row],
                    batch.ids[row],
                    batch.groups[row],
                    ref,
                    shared,
                    score,
                )
            )
        return part

    def finish(self, partial: Partial) -> CheckResult:
        assert isinstance(partial, ContaminationPartial)
        hit_records = {(m[0], m[1]) for m in partial.matches}
        hit_refs = {m[4] for m in partial.matches}
        with_text = int((self.reference.index.sizes > 0).sum())
        metrics = {
            "contamination_rate": rate(len(hit_records), partial.records),
            "contamination_count": float(len(hit_records)),
            "contaminated_reference_count": float(len(hit_refs)),
            "contaminated_reference_rate": rate(len(hit_refs), with_text),
        }
        unusable = self.reference.unusable
        why = "; ".join(u["reason"] for u in unusable)
        return CheckResult(
            check=self.name,
            # a reference that could not be compared leaves every rate unknown: never a pass
            metrics={} if unusable else metrics,
            undefined={m: f"not checked: {why}" for m in metrics} if unusable else {},
            examples=self._examples(partial.matches),
            breakdown={} if unusable else _breakdown(partial),
            sections=self._sections(partial, with_text),
        )

    def _ref(self, row: int) -> dict[str, Any]:
        file, line, rid = self.reference.where[row]
        return {"file": file, "line": line, "record_id": rid}

    def _examples(self, matches: list[Match]) -> dict[str, list[Example]]:
        out: list[Example] = []
        seen: set[tuple[str, int]] = set()
        for file, line, rid, _, ref, shared, score in matches:
            if (file, line) in seen or len(out) >= self.plan.max_examples:
                continue
            seen.add((file, line))
            r = self._ref(ref)
            detail = f"overlaps reference {r['file']}:{r['line']} (id {r['record_id']}): {shared} shared {self.spec.ngram}-grams, overlap {score:.2f}"
            out.append(Example(file=file, line=line, record_id=rid, detail=detail))
        return {"contamination_rate": out} if out else {}

    def _sections(self, partial: ContaminationPartial, with_text: int) -> dict[str, Any]:
        pairs = [
            {
                "batch": {"file": f, "line": ln, "record_id": rid},
                "reference": self._ref(ref),
                "shared_ngrams": shared,
                "overlap": round(score, 4),
            }
            for f, ln, rid, _, ref, shared, score in partial.matches[:MAX_PAIRS_LISTED]
        ]
        return {
            "parameters": {
                "ngram": self.spec.ngram,
                "threshold": self.spec.threshold,
                "score": "shared / min(n-grams of each side)",
            },
            "reference": {
                "files": self.reference.files,
                "records": len(self.reference.where),
                "records_with_text": with_text,
                "rejects": self.reference.rejects[:MAX_PAIRS_LISTED],
                "reject_count": len(self.reference.rejects),
                "unusable": self.reference.unusable,
            },
            "pair_count": len(partial.matches),
            "pairs_listed": len(pairs),
            "pairs": pairs,
        }


def _breakdown(partial: ContaminationPartial) -> dict[str, dict[str, float]]:
    if not partial.group_records:
        return {}
    hits: dict[str, set[tuple[str, int]]] = {}
    for file, line, _, group, *_ in partial.matches:
        if group is not None:
            hits.setdefault(group, set()).add((file, line))
    return {
        g: {"contamination_rate": rate(len(hits.get(g, ())), n)}
        for g, n in sorted(partial.group_records.items())
    }


CHECKS: list[type[Check]] = [ContaminationCheck]
