"""Near duplicates: MinHash over word n-grams, LSH banding, confirmation, union-find clusters.

Words are those of the normalised text shared with exact duplicates (`batch.normalised_column()`:
NFKC, case-folded, whitespace collapsed), so texts that differ only in width, case or spacing
have the same shingles.

Each batch becomes signatures (`num_perm` slots per record, see `similarity.minhash`, of which the
index keeps the lowest 16 bits — b-bit MinHash: two different minima agree on them with probability
2**-16, so an estimate is biased by at most 1.5e-5). `finish` bands the signatures (bands and rows
chosen so that a pair exactly at the threshold is a candidate with probability >= 0.995), confirms
each candidate pair by its estimated Jaccard similarity >= threshold and joins confirmed pairs into
clusters. Rows are numbered in input order, so the report is the same however the input was
sharded. The banding is offered as finish jobs (`finish_jobs`, BANDS_PER_JOB bands each), which
the local engine shares with its helper processes; their candidate pairs merge into the same
set however the bands were shared out.

Memory is flat in the number of records: `partial` writes what only `finish` needs, in bulk, to
two spill files per batch (`checks.spill`): the signatures, slot-major (256 bytes per record at
128 slots), and each record's line, id and group code. The partial keeps only the file names,
counts, the group names and one bit per record (has text), so it stays small and picklable
across the local engine's processes. `finish` reads the signatures a band at a time
(`similarity.index`), and reads the lines and ids only of the records it reports, chunk by chunk.
The engine owns the spill directory and deletes it after `finish`.

Metrics: `near_duplicate_rate` (records in a cluster other than its first member, over all
records), `near_duplicate_count` (that count), `near_duplicate_cluster_count`. Records with no
words are left out of the index (counted in `sections.records_without_text`).
"""

from __future__ import annotations

import functools
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from itertools import pairwise
from typing import Any, NamedTuple, Self

import numpy as np
import numpy.typing as npt
from pydantic import Field

from dataflywheel.checks import spill
from dataflywheel.checks.base import (
    Check,
    CheckResult,
    Example,
    FinishJob,
    Partial,
    RecordBatch,
)
from dataflywheel.checks.metrics import gated_rate, headline_count
from dataflywheel.checks.plan import CheckPlan, Settings
from dataflywheel.checks.results import rate
from dataflywheel.checks.similarity.index import (
    NearDuplicates,
    SpilledSignatures,
    candidate_codes,
    find_near_duplicates,
)
from dataflywheel.checks.similarity.lsh import (
    choose_bands,
    expected_false_negative,
    merge_codes,
)
from dataflywheel.checks.similarity.minhash import MinHasher
from dataflywheel.checks.similarity.shingles import normalised_shingle_hashes
from dataflywheel.checks.textpack import COLUMN_MODULES

MAX_CLUSTERS_LISTED = 1000
MAX_MEMBERS_LISTED = 50
BANDS_PER_JOB = 4  # a finish job's share of the banding (32 bands at the 0.7 threshold: 8 jobs)
METHOD = "one-permutation MinHash with optimal densification, LSH banding, union-find"


class NearDuplicateSpec(Settings):
    num_perm: int = Field(default=128, ge=16, le=1024)
    ngram: int = Field(default=5, ge=1, le=32)
    threshold: float = Field(default=0.8, gt=0.0, le=1.0)
    seed: int = 1


class _Chunk(NamedTuple):
    """One batch's share of the index: spill file names, counts and one bit per record."""

    file: str
    rows: int
    signatures: SpilledSignatures
    records: str  # spill file: lines (int64), id offsets (int64), [group codes (int32)], id bytes
    has_text: npt.NDArray[np.uint8]  # np.packbits of "the record has words"
    with_text: int
    group_names: tuple[str | None, ...] | None = None  # None: no group codes in `records`


class _Rows(NamedTuple):
    """The per-record data of one chunk read back from its spill file."""

    lines: npt.NDArray[np.int64]
    id_offsets: npt.NDArray[np.int64]
    id_bytes: bytes
    group_codes: npt.NDArray[np.int32] | None

    def record_id(self, row: int) -> str:
        return self.record_ids(np.array([row], dtype=np.int64))[0]

    def record_ids(self, rows: npt.NDArray[np.int64]) -> list[str]:
        """The ids of `rows`, in that order: sliced from the chunk's ids decoded once when many
        are asked and they are ASCII, else decoded one by one."""
        starts = self.id_offsets[rows].tolist()
        ends = self.id_offsets[rows + 1].tolist()
        data = self.id_bytes
        if 16 * len(starts) >= len(data) and data.isascii():
            text = data.decode("ascii")
            return [text[a:b] for a, b in zip(starts, ends, strict=True)]
        return [
            data[a:b].decode("utf-8", "surrogatepass") for a, b in zip(starts, ends, strict=True)
        ]


def _write_rows(batch: RecordBatch, codes: npt.NDArray[np.int32] | None) -> str:
    encoded = [rid.encode("utf-8", "surrogatepass") for rid in batch.ids]
    offsets = np.zeros(len(encoded) + 1, dtype=np.int64)
    np.cumsum([len(e) for e in encoded], out=offsets[1:])
    lines = np.asarray(batch.lines, dtype=np.int64)
    parts: list[npt.NDArray[Any] | bytes] = [lines, offsets]
    if codes is not None:
        parts.append(codes)
    parts.append(b"".join(encoded))
    return spill.write_parts(parts, prefix="near-rows-")


def _read_rows(chunk: _Chunk) -> _Rows:
    n = chunk.rows
    head = spill.read_array(chunk.records, np.int64, count=2 * n + 1)
    if len(head) != 2 * n + 1:
        raise spill.SpillMissing(chunk.records, "shorter than its lines and id offsets")
    lines, offsets = head[:n], head[n:]
    at = 8 * (2 * n + 1)
    codes = None
    if chunk.group_names is not None:
        codes = spill.read_array(chunk.records, np.int32, count=n, offset=at)
        at += 4 * n
    id_bytes = spill.read_array(chunk.records, np.uint8, offset=at).tobytes()
    if len(id_bytes) != int(offsets[-1]) or (codes is not None and len(codes) != n):
        raise spill.SpillMissing(chunk.records, "shorter than its ids")
    return _Rows(lines, offsets, id_bytes, codes)  # type: ignore[arg-type]


@dataclass(slots=True)
class NearDuplicatePartial(Partial):
    records: int = 0
    chunks: list[_Chunk] = field(default_factory=list)
    group_records: dict[str, int] = field(default_factory=dict)

    def __add__(self, other: Self) -> Self:
        self.records += other.records
        self.chunks.extend(other.chunks)
        for g, n in other.group_records.items():
            self.group_records[g] = self.group_records.get(g, 0) + n
        return self


def spec_of(plan: CheckPlan) -> NearDuplicateSpec:
    return NearDuplicateCheck.settings_in(plan) or NearDuplicateSpec()


class NearDuplicateCheck(Check):
    """Clusters of records whose estimated Jaccard similarity of word n-grams is >= threshold."""

    name = "near_duplicates"
    settings = NearDuplicateSpec
    needs_text_fields = True
    described = (headline_count("near_duplicate_count"), gated_rate("near_duplicate_rate"))
    modules = COLUMN_MODULES  # its columns are polars Series
    metrics = ("near_duplicate_rate", "near_duplicate_count", "near_duplicate_cluster_count")

    def __init__(self, plan: CheckPlan) -> None:
        super().__init__(plan)
        self.spec = spec_of(plan)
        self.hasher = MinHasher(self.spec.num_perm, seed=self.spec.seed)

    def partial(self, batch: RecordBatch) -> NearDuplicatePartial:
        part = NearDuplicatePartial(records=len(batch))
        if not len(batch):
            return part
        codes: npt.NDArray[np.int32] | None = None
        names: tuple[str | None, ...] | None = None
        if self.plan.breakdown_by is not None:
            codes, names = _group_codes(part, batch.groups)
        shingles = normalised_shingle_hashes(
            _normalised(batch), ngram=self.spec.ngram, seed=self.spec.seed
        )
        has_text = shingles.counts > 0
        chunk = _Chunk(
            file=batch.file,
            rows=len(batch),
            signatures=SpilledSignatures.write(self.hasher.signatures(shingles)),  # b = 16
            records=_write_rows(batch, codes),
            has_text=np.packbits(has_text),
            with_text=int(has_text.sum()),
            group_names=names,
        )
        part.chunks.append(chunk)
        return part

    def finish_jobs(self, partial: Partial) -> list[FinishJob]:
        """The banding, BANDS_PER_JOB bands a job: the part of `finish` that grows with the
        input and that threads of one process barely speed up (see `similarity.parallel`),
        while processes do."""
        assert isinstance(partial, NearDuplicatePartial)
        bands, rows = choose_bands(self.spec.threshold, self.spec.num_perm)
        chunks = [c.signatures for c in partial.chunks]
        has_text = np.packbits(_concat_has_text(partial))
        return [
            functools.partial(
                candidate_codes,
                chunks,
                has_text,
                rows=rows,
                bands=range(b, min(b + BANDS_PER_JOB, bands)),
            )
            for b in range(0, bands, BANDS_PER_JOB)
        ]

    def finish(self, partial: Partial) -> CheckResult:
        return self.finish_with(partial, [job() for job in self.finish_jobs(partial)])

    def finish_with(self, partial: Partial, done: list[Any]) -> CheckResult:
        assert isinstance(partial, NearDuplicatePartial)
        bands, rows = choose_bands(self.spec.threshold, self.spec.num_perm)
        found = find_near_duplicates(
            [c.signatures for c in partial.chunks],
            _concat_has_text(partial),
            threshold=self.spec.threshold,
            bands=bands,
            rows=rows,
            codes=merge_codes(done),
        )
        where = _Locator(partial.chunks)
        count = len(found.members) - found.count
        later = _later_members(found, self.plan.max_examples)
        listed = _listed_positions(found)
        where.load(np.concatenate([listed, found.members[later], _heads(found)[later]]))
        examples = _examples(found, later, where)
        return CheckResult(
            check=self.name,
            metrics={
                "near_duplicate_rate": rate(count, partial.records),
                "near_duplicate_count": float(count),
                "near_duplicate_cluster_count": float(found.count),
            },
            examples={"near_duplicate_rate": examples} if examples else {},
            breakdown=_breakdown(partial, found, where),
            sections=self._sections(partial, found, where, bands, rows),
        )

    def _sections(
        self,
        partial: NearDuplicatePartial,
        found: NearDuplicates,
        where: _Locator,
        bands: int,
        rows: int,
    ) -> dict[str, Any]:
        listed = _listed(found, where)
        with_text = sum(c.with_text for c in partial.chunks)
        return {
            "parameters": {
                "method": METHOD,
                "num_perm": self.spec.num_perm,
                "ngram": self.spec.ngram,
                "threshold": self.spec.threshold,
                "seed": self.spec.seed,
                "bands": bands,
                "rows": rows,
                "miss_probability_at_threshold": round(
                    expected_false_negative(self.spec.threshold, bands, rows), 6
                ),
            },
            "records_without_text": partial.records - with_text,
            "candidate_pairs": found.candidates,
            "confirmed_pairs": found.confirmed,
            "cluster_count": found.count,
            "clusters_listed": len(listed),
            "clusters": listed,
        }


def _normalised(batch: RecordBatch) -> Any:
    """The batch's normalised texts as a polars Series when the batch offers one (shared with
    other checks), else as the list."""
    column = getattr(batch, "normalised_column", None)
    return column() if column is not None else batch.normalised()


def _heads(found: NearDuplicates) -> npt.NDArray[np.int64]:
    """For every member (flat), its cluster's first member."""
    return np.repeat(found.members[found.starts[:-1]], np.diff(found.starts))


def _later_members(found: NearDuplicates, limit: int) -> npt.NDArray[np.int64]:
    """Flat indices of the first `limit` members, in input order, that are not their cluster's
    first (every record is in at most one cluster, so input order is a total order)."""
    later = np.ones(len(found.members), dtype=bool)
    later[found.starts[:-1]] = False
    idx = np.flatnonzero(later)
    return idx[np.argsort(found.members[idx], kind="stable")[:limit]]


def _listed_positions(found: NearDuplicates) -> npt.NDArray[np.int64]:
    """Global rows of the members that the report lists (see `_listed`)."""
    shown = min(found.count, MAX_CLUSTERS_LISTED)
    parts = [
        found.members[a : min(b, a + MAX_MEMBERS_LISTED)]
        for a, b in zip(found.starts[:shown].tolist(), found.starts[1 : shown + 1].tolist())
    ]
    return np.concatenate(parts) if parts else np.zeros(0, dtype=np.int64)


def _listed(found: NearDuplicates, where: _Locator) -> list[dict[str, Any]]:
    """The first MAX_CLUSTERS_LISTED clusters, each with its first MAX_MEMBERS_LISTED members
    (their members and similarities made Python lists once, then sliced per cluster)."""
    out = []
    shown = min(found.count, MAX_CLUSTERS_LISTED)
    bounds = found.starts[: shown + 1].tolist()
    members = found.members[: bounds[-1]].tolist()
    similarity = found.similarity[: bounds[-1]].tolist()
    rows = where.loaded
    for a, b in pairwise(bounds):
        end = min(b, a + MAX_MEMBERS_LISTED)
        records = [
            {"file": file, "line": line, "record_id": rid, "similarity": round(sim, 4)}
            for (file, line, rid), sim in zip(
                map(rows.__getitem__, members[a:end]), similarity[a:end], strict=True
            )
        ]
        out.append({"size": b - a, "records": records})
    return out


def _group_codes(
    part: NearDuplicatePartial, groups: list[str | None]
) -> tuple[npt.NDArray[np.int32], tuple[str | None, ...]]:
    """Each record's group as a code into the batch's sorted group names; counts records per group."""
    counts = Counter(groups)
    names = tuple(sorted(counts, key=lambda g: (g is not None, g or "")))
    code = {g: i for i, g in enumerate(names)}
    for g, n in counts.items():
        if g is not None:
            part.group_records[g] = part.group_records.get(g, 0) + n
    return np.array(list(map(code.__getitem__, groups)), dtype=np.int32), names


def _concat_has_text(partial: NearDuplicatePartial) -> npt.NDArray[np.bool_]:
    if not partial.chunks:
        return np.zeros(0, dtype=bool)
    return np.concatenate(
        [np.unpackbits(c.has_text, count=c.rows).astype(bool) for c in partial.chunks]
    )


class _Locator:
    """Global row index -> (chunk, row) -> file, line, record id, group.

    Lines and ids live in the chunks' spill files: `load` reads each chunk that holds any of the
    asked rows once, and keeps only those rows' file, line and id."""

    def __init__(self, chunks: list[_Chunk]) -> None:
        self.chunks = chunks
        sizes = [c.rows for c in chunks]
        self.starts = np.concatenate([[0], np.cumsum(sizes)]).astype(np.int64)
        self.loaded: dict[int, tuple[str, int, str]] = {}  # by `load`: row -> file, line, id

    def _by_chunk(
        self, positions: npt.NDArray[np.int64]
    ) -> Iterator[tuple[int, _Rows, npt.NDArray[np.int64]]]:
        """(chunk index, its rows read back, the asked positions in it, as rows of the chunk)."""
        positions = np.unique(positions)
        owner = np.searchsorted(self.starts, positions, side="right") - 1
        cuts = np.flatnonzero(np.diff(owner)) + 1
        for part in np.split(np.arange(len(positions)), cuts) if len(positions) else []:
            c = int(owner[part[0]])
            yield c, _read_rows(self.chunks[c]), positions[part] - self.starts[c]

    def load(self, positions: npt.NDArray[np.int64]) -> None:
        """Read file, line and record id of every row in `positions` (global indices)."""
        for c, rows, local in self._by_chunk(positions):
            chunk, start = self.chunks[c], int(self.starts[c])
            lines = rows.lines[local].tolist()
            ids = rows.record_ids(local)
            file = chunk.file
            for r, line, rid in zip((local + start).tolist(), lines, ids, strict=True):
                self.loaded[r] = (file, line, rid)

    def row(self, pos: int, **more: Any) -> dict[str, Any]:
        """The loaded row's file, line and record id (and `more`), as the report lists them."""
        file, line, rid = self.loaded[pos]
        return {"file": file, "line": line, "record_id": rid, **more}

    def group_counts(self, positions: npt.NDArray[np.int64]) -> dict[str, int]:
        """How many of `positions` fall in each (non-None) group."""
        counts: dict[str, int] = {}
        for c, rows, local in self._by_chunk(positions):
            chunk = self.chunks[c]
            if rows.group_codes is None or chunk.group_names is None:
                continue
            codes = np.bincount(rows.group_codes[local], minlength=len(chunk.group_names))
            for name, n in zip(chunk.group_names, codes.tolist(), strict=True):
                if name is not None and n:
                    counts[name] = counts.get(name, 0) + n
        return counts


def _examples(
    found: NearDuplicates, later: npt.NDArray[np.int64], where: _Locator
) -> list[Example]:
    out = []
    heads = _heads(found)
    for i in later.tolist():
        head = where.row(int(heads[i]))
        sim = float(found.similarity[i])
        out.append(
            Example(
                **where.row(int(found.members[i])),
                detail=f"near-duplicate of {head['file']}:{head['line']} (id {head['record_id']}), "
                f"estimated Jaccard {sim:.2f}",
            )
        )
    return out


def _breakdown(
    partial: NearDuplicatePartial, found: NearDuplicates, where: _Locator
) -> dict[str, dict[str, float]]:
    if not partial.group_records:
        return {}
    later = np.ones(len(found.members), dtype=bool)
    later[found.starts[:-1]] = False
    dups = where.group_counts(found.members[later])
    return {
        g: {"near_duplicate_rate": rate(dups.get(g, 0), n)}
        for g, n in sorted(partial.group_records.items())
    }


CHECKS: list[type[Check]] = [NearDuplicateCheck]
