"""Inter-annotator agreement over an annotation batch.

Records are either one rating each (`source_format: records`: the plan's `item_field`,
`annotator_field`, `label_field`) or Label Studio tasks (`source_format: labelstudio`: each task's
annotations; a `label_field` other than "label" names the control, `from_name`, to read).

The check does not parse an annotation tool's format itself: it is given the ratings of each
task by the task reader registered for its `source_format` (`TaskReader`, through the
`register_annotation_formats` hook; integrations/labelstudio.py supplies `labelstudio`), as the
engine is given records by the reader of a file's format.

Nothing is dropped silently: a record without item, annotator or label, a non-numeric label at the
ordinal/interval level, a malformed task, and a second rating of the same item by the same
annotator are rejects with their reason; cancelled or empty Label Studio annotations are counted
in `sections.skipped_annotations`. A statistic that is undefined (fewer than two pairable ratings,
or no variation at all) is left out of `metrics` and named in `sections.undefined`.

Metrics: `agreement_krippendorff_alpha` (at the plan's level), `agreement_fleiss_kappa`,
`agreement_cohen_kappa` (only with exactly two annotators), `agreement_percent` (share of
agreeing pairs), `agreement_items`, `agreement_annotators`; per-annotator table in
`sections.annotators`.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, Literal, Protocol, Self

from pydantic import Field, model_validator

from dataflywheel.checks.base import Check, CheckResult, Example, Partial, RecordBatch, Reject
from dataflywheel.checks.metrics import MetricInfo, MetricKind
from dataflywheel.checks.fields import compile_path, get_scalar
from dataflywheel.checks.plan import CheckPlan, Settings
from dataflywheel.checks.stats.agreement import (
    Ratings,
    cohen_kappa,
    fleiss_kappa,
    krippendorff_alpha,
    per_annotator,
    percent_agreement,
)
from dataflywheel.errors import BadInput


class AgreementSpec(Settings):
    item_field: str = "item_id"
    annotator_field: str = "annotator_id"
    label_field: str = "label"
    level: Literal["nominal", "ordinal", "interval", "ratio"] = "nominal"
    source_format: Literal["records", "labelstudio"] = "records"
    scale: list[str] | None = Field(
        default=None,
        description="ordered text labels of an ordinal/interval/ratio scale, e.g. [slight, clear, "
                    "strong]: each label stands for its position",
    )

    @model_validator(mode="after")
    def _scale_fits_level(self) -> AgreementSpec:
        if self.scale is not None:
            if self.level == "nominal":
                raise ValueError("scale orders labels; it needs level ordinal, interval or ratio")
            if len(set(self.scale)) != len(self.scale) or len(self.scale) < 2:
                raise ValueError("scale needs at least two distinct labels")
        return self


NAME = "agreement"
# one rating: item, annotator, label, file, line, record id
Row = tuple[str, str, Any, str, int, str]


@dataclass(slots=True)
class AgreementPartial(Partial):
    records: int = 0
    rows: list[Row] = field(default_factory=list)
    rejects: list[Reject] = field(default_factory=list)
    skipped: list[tuple[str, int, str]] = field(default_factory=list)

    def __add__(self, other: Self) -> Self:
        self.records += other.records
        self.rows.extend(other.rows)
        self.rejects.extend(other.rejects)
        self.skipped.extend(other.skipped)
        return self


class Rating(Protocol):
    """One annotator's label for one item, as a task reader returns it."""

    @property
    def item_id(self) -> str: ...
    @property
    def annotator_id(self) -> str: ...
    @property
    def label(self) -> str | int | float: ...


class SkippedAnnotation(Protocol):
    """An annotation that gave no label, and why (listed in `sections.skipped_annotations`)."""

    @property
    def annotation_id(self) -> str | None: ...
    @property
    def reason(self) -> str: ...


class TaskReader(Protocol):
    """The ratings of one annotation task; `control` picks the labelling control to read;
    a malformed task raises `BadInput` (the check rejects the record with its message)."""

    def __call__(
        self, task: Any, *, control: str | None, where: str
    ) -> tuple[Sequence[Rating], Sequence[SkippedAnnotation]]: ...


def task_reader(source_format: str) -> TaskReader:
    """The task reader registered for `source_format` (built-ins and plugins, through
    `register_annotation_formats`)."""
    from dataflywheel.plugins import format_plugin_manager

    for formats in format_plugin_manager().hook.register_annotation_formats():
        reader: TaskReader | None = (formats or {}).get(source_format)
        if reader is not None:
            return reader
    raise BadInput(
        "the plan reads Label Studio tasks but the Label Studio integration is not installed",
        field="checks.agreement.source_format",
        expected="an installed integration named 'labelstudio'",
        hint="use source_format: records, or install dataflywheel with its integrations",
    )


class AgreementCheck(Check):
    """Cohen's and Fleiss' kappa, Krippendorff's alpha, and a per-annotator table."""

    name = NAME
    settings = AgreementSpec
    described = tuple(
        MetricInfo(m, MetricKind.COEFFICIENT, higher_is_better=True, headline=True)
        for m in ("agreement_krippendorff_alpha", "agreement_fleiss_kappa",
                  "agreement_cohen_kappa"))
    metrics = (
        "agreement_krippendorff_alpha",
        "agreement_fleiss_kappa",
        "agreement_cohen_kappa",
        "agreement_percent",
        "agreement_items",
        "agreement_annotators",
    )

    def __init__(self, plan: CheckPlan, read_task: TaskReader | None = None) -> None:
        """`read_task`: how to read a record as an annotation task; by default the reader
        registered for the plan's `source_format` (none for `records`)."""
        super().__init__(plan)
        self.spec = self.settings_in(plan) or AgreementSpec()
        self.paths = [
            compile_path(f)
            for f in (self.spec.item_field, self.spec.annotator_field, self.spec.label_field)
        ]
        if read_task is None and self.spec.source_format != "records":
            read_task = task_reader(self.spec.source_format)
        self.read_task = read_task

    def partial(self, batch: RecordBatch) -> AgreementPartial:
        part = AgreementPartial(records=len(batch))
        for rec in batch:
            if self.read_task is not None:
                self._task(rec.value, batch.file, rec.line, rec.id, part)
            else:
                self._rating(rec.value, batch.file, rec.line, rec.id, part)
        return part

    def _rating(self, value: Any, file: str, line: int, rid: str, part: AgreementPartial) -> None:
        item, who, label = (get_scalar(value, p) for p in self.paths)
        names = (self.spec.item_field, self.spec.annotator_field, self.spec.label_field)
        for got, name in zip((item, who, label), names, strict=True):
            if (
                got is None
                or isinstance(got, dict | list)
                or (isinstance(got, str) and not got.strip())
            ):
                part.rejects.append(
                    Reject(file, line, f"no {name} (a non-empty scalar) for agreement", rid, NAME)
                )
                return
        keys = (_key(item), _key(who))
        if keys[0] is None or keys[1] is None:
            name = names[0] if keys[0] is None else names[1]
            reason = f"{name} is an integer too large to be a key (more than {_BIG} digits)"
            part.rejects.append(Reject(file, line, reason, rid, NAME))
            return
        self._add(part, (keys[0], keys[1], label, file, line, rid))

    def _task(self, value: Any, file: str, line: int, rid: str, part: AgreementPartial) -> None:
        control = None if self.spec.label_field == "label" else self.spec.label_field
        assert self.read_task is not None
        try:
            labels, skipped = self.read_task(value, control=control, where=f"{file}:{line}")
        except BadInput as exc:
            part.rejects.append(Reject(file, line, str(exc), rid, NAME))
            return
        part.skipped.extend(
            (file, line, f"annotation {s.annotation_id}: {s.reason}") for s in skipped
        )
        for lab in labels:
            self._add(part, (lab.item_id, lab.annotator_id, lab.label, file, line, rid))

    def _add(self, part: AgreementPartial, row: Row) -> None:
        raw = row[2]
        if self.spec.scale is not None and isinstance(raw, str) and raw in self.spec.scale:
            raw = self.spec.scale.index(raw) + 1
        label, problem = _label(raw, self.spec.level)
        if problem is not None:
            part.rejects.append(Reject(row[3], row[4], problem, row[5], NAME))
            return
        part.rows.append((row[0], row[1], label, row[3], row[4], row[5]))

    def finish(self, partial: Partial) -> CheckResult:
        assert isinstance(partial, AgreementPartial)
        rows, repeats = _first_ratings(partial.rows)
        ratings = Ratings.build([(r[0], r[1], r[2]) for r in rows])
        values = _statistics(ratings, self.spec)
        metrics = {k: v for k, v in values.items() if not math.isnan(v)}
        return CheckResult(
            check=self.name,
            metrics=metrics,
            examples=_examples(rows, self.plan.max_examples),
            sections={
                "level": self.spec.level,
                "ratings": len(rows),
                "undefined": sorted(k for k, v in values.items() if math.isnan(v)),
                "annotators": _table(ratings, self.spec),
                "skipped_annotations": [
                    {"file": f, "line": ln, "reason": why} for f, ln, why in partial.skipped
                ],
            },
            rejects=partial.rejects + repeats,
        )


_BIG = 18  # digits: larger integers are not usable as keys or labels (str() may refuse them)
_MAX_EXACT = 2**53  # beyond this an integer label is not a number we can compute with exactly


def _key(value: Any) -> str | None:
    """The text of an item or annotator id; None for an integer too large to be one."""
    if isinstance(value, int) and not isinstance(value, bool) and abs(value) >= 10**_BIG:
        return None
    return str(value)


def _label(label: Any, level: str) -> tuple[Any, str | None]:
    """The label as used in the statistics, or the reason the rating is refused (a ratio scale
    starts at zero: a negative label is refused there)."""
    value, problem = _number_or_text(label, level)
    if problem is None and level == "ratio" and value < 0:
        return None, f"label {value!r} is negative: a ratio scale starts at zero"
    return value, problem


def _number_or_text(label: Any, level: str) -> tuple[Any, str | None]:
    if isinstance(label, bool):
        return (
            ("true" if label else "false", None)
            if level == "nominal"
            else (None, _NOT_NUMBER.format(repr(label), level))
        )
    if isinstance(label, int):
        if abs(label) > _MAX_EXACT:
            return None, f"label is an integer beyond 2**53 (agreement level {level})"
        return label, None
    if isinstance(label, float):
        if not math.isfinite(label):
            return None, f"label {label!r} is not a finite number"
        return (int(label) if label.is_integer() else label), None
    if level != "nominal":
        return None, _NOT_NUMBER.format(repr(label)[:40], level)
    return label, None


_NOT_NUMBER = "label {} is not a finite number (agreement level {})"


def _first_ratings(rows: list[Row]) -> tuple[list[Row], list[Reject]]:
    """The first rating of each (item, annotator) in input order; later ones become rejects."""
    seen: dict[tuple[str, str], Row] = {}
    repeats = []
    for row in rows:
        first = seen.setdefault((row[0], row[1]), row)
        if first is not row:
            reason = f"annotator {row[1]!r} already rated item {row[0]!r} at {first[3]}:{first[4]}"
            repeats.append(Reject(row[3], row[4], reason, row[5], NAME))
    return list(seen.values()), repeats


def _statistics(ratings: Ratings, spec: AgreementSpec) -> dict[str, float]:
    counts = ratings.counts()
    values = ratings.label_values
    stats = {
        "agreement_krippendorff_alpha": krippendorff_alpha(counts, values, spec.level),
        "agreement_fleiss_kappa": fleiss_kappa(counts),
        "agreement_percent": percent_agreement(counts),
        "agreement_items": float(len(ratings.item_names)),
        "agreement_annotators": float(len(ratings.annotator_names)),
    }
    if len(ratings.annotator_names) == 2:
        m = ratings.matrix()
        both = (m[0] >= 0) & (m[1] >= 0)
        stats["agreement_cohen_kappa"] = cohen_kappa(m[0][both], m[1][both])
    return stats


def _table(ratings: Ratings, spec: AgreementSpec) -> list[dict[str, Any]]:
    def num(x: float) -> float | None:
        return None if math.isnan(x) else round(x, 6)

    return [
        {
            "annotator": a.annotator,
            "ratings": a.ratings,
            "agreement_with_majority": num(a.with_majority),
            "mean_pair_cohen_kappa": num(a.mean_pair_kappa),
            "krippendorff_alpha_without": num(a.alpha_without),
        }
        for a in per_annotator(ratings, spec.level)
    ]


def _examples(rows: list[Row], limit: int) -> dict[str, list[Example]]:
    by_item: dict[str, list[Row]] = {}
    for row in rows:
        by_item.setdefault(row[0], []).append(row)
    out: list[Example] = []
    for item, its in by_item.items():
        if len({r[2] for r in its}) > 1 and len(out) < limit:
            detail = f"item {item}: " + ", ".join(f"{r[1]}={r[2]!r}" for r in its)
            out.append(Example(file=its[0][3], line=its[0][4], record_id=its[0][5], detail=detail))
    return {"agreement_krippendorff_alpha": out} if out else {}


CHECKS: list[type[Check]] = [AgreementCheck]
