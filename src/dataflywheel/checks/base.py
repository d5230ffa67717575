"""The check interface: how a quality check sees a batch and how its results combine.

Contract (every check, built-in or plugin, keeps all of it):

1. **Input.** A reader decodes one *shard* of one file (a byte range of a plain JSONL file, or a
   whole compressed/Parquet/CSV file) into `RecordBatch`es, in file order. A batch is columnar:
   `ids`, `lines`, `values`, `texts`, `groups` are parallel lists, one entry per decoded record.
   - `ids[i]`: the record id — `str(value[plan.id_field])` when the plan names an id field and the
     record has a scalar there, else `str(line)`.
   - `lines[i]`: the 1-based line number in the file (exact across shards; for Parquet, the row
     number + 1; for CSV, the physical line of the row).
   - `values[i]`: the decoded object (for JSONL usually a dict, but any JSON value can appear).
   - `texts[i]`: the plan's `text_fields` extracted (`a`, `a.b`, `messages[].content`), every string
     found joined by "\\n"; "" when none (see `dataflywheel.checks.fields`). Readers let the
     batch extract them from `values` on first use, so checks that read no text cost none.
   - `groups[i]`: `str(value at plan.breakdown_by)` or None (always None without `breakdown_by`).
   - `rejects`: lines of this batch that could not be decoded at all (invalid UTF-8, invalid JSON,
     over the line-length limit); they are NOT in the parallel lists. The engine collects them;
     checks only read them if they want to.
   `batch.normalised_column()` gives the texts NFKC-normalised, case-folded and
   whitespace-collapsed (`normalise`) as one polars String Series, computed once per batch for
   the whole batch and shared by every check that wants them; `batch.normalised()` is the same
   as a list. `batch.text_column()` gives the raw texts as one polars String Series, also built
   once, for vectorised scans. Both columns come from one UTF-8 packing of the texts
   (`batch.packed_texts()`); a lone surrogate (which UTF-8 cannot hold) is U+FFFD in both
   columns, while `texts` and `normalised()` keep it (rows `packed_texts().lossy`).
   `batch.text_bytes()` and `batch.normalised_bytes()` give the same two columns' UTF-8 bytes
   for numpy scans (`bytescan.TextBytes`), read from the buffers the columns are built from.
   `batch.file` is the file name as the user gave it; `batch.shard` the global shard index;
   `nbytes` the input bytes the batch covers; `empty_lines` whitespace-only lines skipped (counted
   in the report, never records); `warnings` notes about the file (e.g. a UTF-8 BOM was ignored).
   `for rec in batch` yields `Record` views when row-wise access is more convenient.

2. **Partial.** `Check.partial(batch)` maps one batch to a `Partial`: a dataclass holding plain
   data only (int, float, str, bytes, tuple, list, dict, or numpy arrays) so that it pickles for the
   process pool and serialises for the future Ray engine. It must not hold the batch, open files,
   locks, or the check itself. `partial()` must accept an empty batch; that partial is the identity
   of `+`.

3. **Merge.** `a + b` (`Partial.__add__`) combines the partial of the records *before* with the
   partial of the records *after*. It must be associative, and order-aware where order matters
   (first occurrence, first examples): `(a + b) + c == a + (b + c)`. The engines fold partials in
   shard order, batch order within a shard, so a merged result is byte-identical to one process
   reading the whole input. `+` may mutate and return `self` (engines never reuse an operand).

4. **Finish.** `Check.finish(partial)` turns the fully merged partial into a `CheckResult`:
   `metrics` (name -> float, stable names documented in docs/checks.md; rates are in [0, 1] and
   0.0 on an empty input), `examples` (metric name -> at most `plan.max_examples` `Example`s, in
   input order; never the PII itself unless the plan says reveal), `breakdown` (group value ->
   metric -> float, only when `plan.breakdown_by` is set), `sections` (extra JSON-able detail:
   histograms, duplicate groups, clusters; must be deterministic — sort what has no input order),
   and `rejects` (records this check refuses, e.g. schema violations, with file, line, reason).
   `finish` must be a pure function of the partial: same partial, same bytes.

5. **Identity and registration.** `Check.name` is the key of the plan's `checks` mapping that
   turns it on; `settings` is the model of that key's value (None: a plain `true`/`false`
   switch, on unless the plan says otherwise when `on_by_default`), so a plan's `checks` accepts
   exactly the registered checks (`ChecksSpec`). `enabled(plan)` says whether the plan turns it
   on (default: the key's value is truthy), `settings_in(plan)` gives its settings.
   `metric_names(plan)` lists every metric `finish` will produce, so thresholds naming an unknown
   metric fail before any file is read. `described` says what the metrics a contract may gate
   mean (`MetricInfo`: kind, direction, per field, kept in a delivery's headline); contracts,
   their compiled plans and the delivery path read them through `checks.registry`, so a check
   declares its name, settings and metrics once, in its own module. A check is constructed as
   `Check(plan)` once per process; construction may load small reference data (e.g. an
   evaluation set) but must be deterministic.
   Checks are found through the pluggy hook `register_checks` (returning a list of Check classes).
   Built-ins are registered the same way by `dataflywheel.checks.builtin`, which collects the
   `CHECKS: list[type[Check]]` list of each module named in its `BUILTIN_MODULES`.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, ClassVar, Self

from pydantic import BaseModel, ConfigDict, Field

from dataflywheel.checks.bytescan import TextBytes
from dataflywheel.checks.declaration import Declaration
from dataflywheel.checks.registry import registered_checks
from dataflywheel.checks.textnorm import NormalisedBatch, normalise_packed
from dataflywheel.checks.textpack import PackedText, pack_utf8
from dataflywheel.errors import BadInput

if TYPE_CHECKING:
    from dataflywheel.checks.plan import CheckPlan


@dataclass(frozen=True, slots=True)
class Record:
    """One decoded record, a row view of a `RecordBatch`."""

    id: str
    line: int
    file: str
    value: Any
    text: str
    group: str | None = None


@dataclass(frozen=True, slots=True)
class Reject:
    """A record (or undecodable line) kept out of the clean set, with the reason. Plain data."""

    file: str
    line: int
    reason: str
    record_id: str | None = None
    check: str = "structural"

    def to_dict(self) -> dict[str, Any]:
        return {
            "file": self.file,
            "line": self.line,
            "record_id": self.record_id,
            "check": self.check,
            "reason": self.reason,
        }


@dataclass(slots=True, init=False)
class RecordBatch:
    """Decoded records of one shard, in file order, as parallel lists (see the module contract).

    `texts` is computed on first use: a reader gives the batch `text_of` (the plan's text
    extractor, values -> texts) instead of the texts, so a plan whose checks never read a text
    (only `structural`, say) never extracts one. A batch built with `texts=[...]` keeps them.
    """

    file: str
    shard: int
    ids: list[str]
    lines: list[int]
    values: list[Any]
    groups: list[str | None]
    rejects: list[Reject]
    nbytes: int
    empty_lines: int
    warnings: list[str]
    _texts: list[str] | None = field(repr=False, compare=False)
    _text_of: Callable[[list[Any]], list[str]] | None = field(repr=False, compare=False)
    _normalised: list[str] | None = field(repr=False, compare=False)
    _packed: PackedText | None = field(repr=False, compare=False)
    _column: Any = field(repr=False, compare=False)
    _norm_column: Any = field(repr=False, compare=False)
    _norm: NormalisedBatch | None = field(repr=False, compare=False)

    def __init__(
        self,
        file: str,
        shard: int = 0,
        ids: list[str] | None = None,
        lines: list[int] | None = None,
        values: list[Any] | None = None,
        texts: list[str] | None = None,
        groups: list[str | None] | None = None,
        rejects: list[Reject] | None = None,
        nbytes: int = 0,
        empty_lines: int = 0,
        warnings: list[str] | None = None,
        *,
        text_of: Callable[[list[Any]], list[str]] | None = None,
    ) -> None:
        self.file = file
        self.shard = shard
        self.ids = [] if ids is None else ids
        self.lines = [] if lines is None else lines
        self.values = [] if values is None else values
        self.groups = [] if groups is None else groups
        self.rejects = [] if rejects is None else rejects
        self.nbytes = nbytes
        self.empty_lines = empty_lines
        self.warnings = [] if warnings is None else warnings
        self._texts = texts if texts is not None or text_of is not None else []
        self._text_of = text_of
        self._normalised = None
        self._packed = None
        self._column = None
        self._norm_column = None
        self._norm = None

    @property
    def texts(self) -> list[str]:
        """`text_of(values)` computed on first use and cached, or the texts given."""
        if self._texts is None:
            self._texts = self._text_of(self.values) if self._text_of is not None else []
        return self._texts

    @texts.setter
    def texts(self, texts: list[str]) -> None:
        self._texts = texts

    def __eq__(self, other: object) -> bool:
        if type(other) is not RecordBatch:
            return NotImplemented
        return (
            self.file == other.file
            and self.shard == other.shard
            and self.ids == other.ids
            and self.lines == other.lines
            and self.values == other.values
            and self.texts == other.texts
            and self.groups == other.groups
            and self.rejects == other.rejects
            and self.nbytes == other.nbytes
            and self.empty_lines == other.empty_lines
            and self.warnings == other.warnings
        )

    def __len__(self) -> int:
        return len(self.ids)

    def packed_texts(self) -> PackedText:
        """The texts as one UTF-8 buffer + offsets (`textpack`), built on first use and shared by
        `text_column` and `normalised_column`. Lone surrogates are U+FFFD there; their rows are
        `packed_texts().lossy`."""
        if self._packed is None:
            self._packed = pack_utf8(self.texts)
        return self._packed

    def normalised(self) -> list[str]:
        """`normalise(text)` of every text, exactly (lone surrogates kept), as a list; computed on
        first use from `normalised_column()` and cached on the batch."""
        if self._normalised is None:
            norm = self.normalised_column().to_list()
            fixes = self._normalised_batch().fixes
            for row in self.packed_texts().lossy:
                norm[row] = fixes[row]
            self._normalised = norm
        return self._normalised

    def normalised_column(self) -> Any:
        """`normalise(text)` of every text as one polars String Series, computed once per batch
        for the whole batch (`textnorm.normalise_packed`) and cached. A lone surrogate cannot be
        in a polars String: in the rows `packed_texts().lossy` it is U+FFFD here, while
        `normalised()` holds the exact text; a check that must tell such texts apart (exact
        duplicates) reads those rows from `normalised()` or `textnorm.normalise`."""
        if self._norm_column is None:
            self._norm_column = self._normalised_batch().series()
        return self._norm_column

    def normalised_bytes(self) -> TextBytes:
        """The UTF-8 bytes of `normalised_column()` for numpy scans (`bytescan`), read from the
        buffers the column is built from: no export of the column."""
        norm = self._normalised_batch()
        return TextBytes(norm.packed, norm.fixes)

    def _normalised_batch(self) -> NormalisedBatch:
        if self._norm is None:
            self._norm = normalise_packed(self.texts, self.packed_texts())
        return self._norm

    def text_bytes(self) -> TextBytes:
        """The UTF-8 bytes of `text_column()` for numpy scans (`bytescan`): the packed buffer."""
        return TextBytes(self.packed_texts())

    def text_column(self) -> Any:
        """The texts as one polars String Series (for vectorised scans), built on first use and
        shared by every check. A lone surrogate cannot be UTF-8: it is U+FFFD in the column, so
        a scan that treats U+FFFD as suspect still picks that text."""
        if self._column is None:
            self._column = self.packed_texts().series()
        return self._column

    def __iter__(self) -> Iterator[Record]:
        file = self.file
        for rid, line, value, text, group in zip(
            self.ids, self.lines, self.values, self.texts, self.groups, strict=True
        ):
            yield Record(rid, line, file, value, text, group)


class Partial(ABC):
    """Mergeable partial result of one check over some records. Subclasses are dataclasses."""

    @abstractmethod
    def __add__(self, other: Self) -> Self:
        """Merge: `self` covers the records before `other`'s. Associative."""


class Example(BaseModel):
    """A record that illustrates a metric: where it is and what was found (never the PII itself)."""

    model_config = ConfigDict(frozen=True)

    file: str
    line: int
    record_id: str
    detail: str = ""


class CheckResult(BaseModel):
    """What one check says about the whole input."""

    check: str
    metrics: dict[str, float]
    examples: dict[str, list[Example]] = Field(default_factory=dict)
    breakdown: dict[str, dict[str, float]] = Field(default_factory=dict)
    sections: dict[str, Any] = Field(default_factory=dict)
    rejects: list[Reject] = Field(default_factory=list)
    undefined: dict[str, str] = Field(
        default_factory=dict, description="metric the check could not compute -> why")

    model_config = ConfigDict(arbitrary_types_allowed=True)


FinishJob = Callable[[], Any]  # one share of a check's finish (see `Check.finish_jobs`)


class Check(Declaration, ABC):
    """A quality check: batch -> Partial, Partial + Partial, Partial -> CheckResult. What it
    declares about itself (name, settings, metrics) is its `Declaration`."""

    # Modules `partial` imports on first use (heavy native libraries): a helper process of the
    # local engine imports them while its parent plans the shards, not on its first batch.
    modules: ClassVar[tuple[str, ...]] = ()

    def __init__(self, plan: CheckPlan) -> None:
        self.plan = plan

    @classmethod
    def enabled(cls, plan: CheckPlan) -> bool:
        return bool(getattr(plan.checks, cls.name, False))

    @classmethod
    def settings_in(cls, plan: CheckPlan) -> Any:
        """This check's settings in `plan` (an instance of `settings`), or None when it is off."""
        return plan.checks.get(cls.name)

    @classmethod
    def metric_names(cls, plan: CheckPlan) -> tuple[str, ...]:
        """Every metric `finish` produces under this plan (default: the class's `metrics`)."""
        return cls.metrics

    @abstractmethod
    def partial(self, batch: RecordBatch) -> Partial:
        """Summarise one batch; must accept an empty batch (the identity of `+`)."""

    @abstractmethod
    def finish(self, partial: Partial) -> CheckResult:
        """The result for the whole input; a pure function of the merged partial."""

    def finish_jobs(self, partial: Partial) -> list[FinishJob]:
        """Independent shares of `finish`'s heaviest work, which an engine may run in other
        processes (the local engine's helpers are idle by then) before calling `finish_with`.
        Each is a picklable call without arguments (a module-level function bound to plain
        data, e.g. spill file names, with `functools.partial`) that returns plain data.
        Default: none; `finish` does all the work."""
        return []

    def finish_with(self, partial: Partial, done: list[Any]) -> CheckResult:
        """`finish`, given what `finish_jobs(partial)` returned, in their order. A check that
        offers jobs implements this, and its `finish` runs the jobs itself and calls it."""
        return self.finish(partial)


def available_checks() -> dict[str, type[Check]]:
    """Every registered check class by name (built-ins and plugins, through `register_checks`)."""
    found: dict[str, type[Check]] = {}
    for name, cls in sorted(registered_checks().items()):
        if not issubclass(cls, Check):
            raise BadInput(f"check {name!r} is no check", expected="a subclass of "
                           "dataflywheel.checks.base.Check", got=f"{cls.__module__}.{cls.__qualname__}")
        found[name] = cls
    return found


def enabled_checks(plan: CheckPlan) -> list[Check]:
    """The checks the plan turns on, sorted by name, after validating its thresholds.

    Raises BadInput when the plan enables a check nobody registered, or gates a metric that no
    enabled check produces.
    """
    registry = available_checks()
    wanted = [name for name, value in plan.checks if value]
    missing = [name for name in wanted if name not in registry]
    if missing:
        raise BadInput(
            "the plan enables checks that are not installed",
            field="checks",
            expected="one of " + ", ".join(sorted(registry)),
            got=", ".join(missing),
        )
    checks = [cls(plan) for name, cls in registry.items() if cls.enabled(plan)]
    produced = {m for check in checks for m in type(check).metric_names(plan)}
    for threshold in plan.thresholds:
        if threshold.metric not in produced:
            raise BadInput(
                "threshold names a metric no enabled check produces",
                field=f"thresholds.{threshold.metric}",
                expected="one of " + ", ".join(sorted(produced)),
                got=threshold.metric,
            )
    return checks
