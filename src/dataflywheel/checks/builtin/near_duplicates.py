"""Near duplicates: MinHash over word n-grams, LSH banding, confirmation, union-find clusters.

Words are those of the normalised text shared with exact duplicates (`batch.normalised()`: NFKC,
case-folded, whitespace collapsed), so texts that differ only in width, case or spacing have the
same shingles.

Each batch becomes signatures (`num_perm` slots per record, see `similarity.minhash`, of which the
index keeps the lowest 16 bits — b-bit MinHash: two different minima agree on them with probability
2**-16, so an estimate is biased by at most 1.5e-5 — 256 bytes per record at 128 slots) plus,
per record, its line (8 bytes), its id (4-byte offset + the id's UTF-8 bytes) and, with a
breakdown, a 4-byte group code: the index beyond the signatures stays under 32 bytes per record for
ids of up to ~16 bytes. `finish` bands the signatures (bands and rows chosen so that a pair exactly
at the threshold is a candidate with probability >= 0.995), confirms each candidate pair by its
estimated Jaccard similarity >= threshold and joins confirmed pairs into clusters. Rows are
numbered in input order, so the report is the same however the input was sharded.

Metrics: `near_duplicate_rate` (records in a cluster other than its first member, over all
records), `near_duplicate_count` (that count), `near_duplicate_cluster_count`. Records with no
words are left out of the index (counted in `sections.records_without_text`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, NamedTuple, Self

import numpy as np
import numpy.typing as npt

from dataflywheel.checks.base import Check, CheckResult, Example, Partial, RecordBatch
from dataflywheel.checks.plan import CheckPlan, NearDuplicateSpec
from dataflywheel.checks.results import rate
from dataflywheel.checks.similarity.index import NearDuplicates, find_near_duplicates
from dataflywheel.checks.similarity.lsh import choose_bands, expected_false_negative
from dataflywheel.checks.similarity.minhash import MinHasher
from dataflywheel.checks.similarity.shingles import normalised_shingle_hashes

MAX_CLUSTERS_LISTED = 1000
MAX_MEMBERS_LISTED = 50
METHOD = "one-permutation MinHash with optimal densification, LSH banding, union-find"


class _Chunk(NamedTuple):
    """One batch's share of the index: a tuple of plain data and numpy arrays."""

    file: str
    lines: npt.NDArray[np.int64]
    id_offsets: npt.NDArray[np.int32]
    id_bytes: bytes
    signatures: npt.NDArray[np.uint16]
    has_text: npt.NDArray[np.bool_]
    group_codes: npt.NDArray[np.int32] | None = None
    group_names: tuple[str | None, ...] = ()

    def record_id(self, row: int) -> str:
        a, b = int(self.id_offsets[row]), int(self.id_offsets[row + 1])
        return self.id_bytes[a:b].decode("utf-8", "surrogatepass")

    def group(self, row: int) -> str | None:
        return None if self.group_codes is None else self.group_names[int(self.group_codes[row])]


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
    return plan.checks.near_duplicates or NearDuplicateSpec()


class NearDuplicateCheck(Check):
    """Clusters of records whose estimated Jaccard similarity of word n-grams is >= threshold."""

    name = "near_duplicates"
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
        names: tuple[str | None, ...] = ()
        if self.plan.breakdown_by is not None:
            codes, names = _group_codes(part, batch.groups)
        shingles = normalised_shingle_hashes(
            batch.normalised(), ngram=self.spec.ngram, seed=self.spec.seed
        )
        encoded = [rid.encode("utf-8", "surrogatepass") for rid in batch.ids]
        offsets = np.zeros(len(encoded) + 1, dtype=np.int32)
        np.cumsum([len(e) for e in encoded], out=offsets[1:])
        chunk = _Chunk(
            file=batch.file,
            lines=np.asarray(batch.lines, dtype=np.int64),
            id_offsets=offsets,
            id_bytes=b"".join(encoded),
            signatures=self.hasher.signatures(shingles).astype(np.uint16),  # b-bit MinHash, b = 16
            has_text=shingles.counts > 0,
            group_codes=codes,
            group_names=names,
        )
        part.chunks.append(chunk)
        return part

    def finish(self, partial: Partial) -> CheckResult:
        assert isinstance(partial, NearDuplicatePartial)
        bands, rows = choose_bands(self.spec.threshold, self.spec.num_perm)
        found = find_near_duplicates(
            [c.signatures for c in partial.chunks],
            _concat_has_text(partial),
            threshold=self.spec.threshold,
            bands=bands,
            rows=rows,
        )
        where = _Locator(partial.chunks)
        count = sum(len(g) - 1 for g in found.groups)
        examples = _examples(found, where, self.plan.max_examples)
        return CheckResult(
            check=self.name,
            metrics={
                "near_duplicate_rate": rate(count, partial.records),
                "near_duplicate_count": float(count),
                "near_duplicate_cluster_count": float(len(found.groups)),
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
        with_text = int(sum(int(c.has_text.sum()) for c in partial.chunks))
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
            "cluster_count": len(found.groups),
            "clusters_listed": len(listed),
            "clusters": listed,
        }


def _listed(found: NearDuplicates, where: _Locator) -> list[dict[str, Any]]:
    """The first MAX_CLUSTERS_LISTED clusters, each with its first MAX_MEMBERS_LISTED members."""
    return [
        {
            "size": len(g),
            "records": [
                {**where.row(int(p)), "similarity": round(float(s), 4)}
                for p, s in zip(g[:MAX_MEMBERS_LISTED], sims[:MAX_MEMBERS_LISTED], strict=True)
            ],
        }
        for g, sims in zip(
            found.groups[:MAX_CLUSTERS_LISTED], found.similarity_to_first, strict=False
        )
    ]


def _group_codes(
    part: NearDuplicatePartial, groups: list[str | None]
) -> tuple[npt.NDArray[np.int32], tuple[str | None, ...]]:
    """Each record's group as a code into the batch's sorted group names; counts records per group."""
    names = tuple(sorted(set(groups), key=lambda g: (g is not None, g or "")))
    code = {g: i for i, g in enumerate(names)}
    for g in groups:
        if g is not None:
            part.group_records[g] = part.group_records.get(g, 0) + 1
    return np.fromiter((code[g] for g in groups), dtype=np.int32, count=len(groups)), names


def _concat_has_text(partial: NearDuplicatePartial) -> npt.NDArray[np.bool_]:
    if not partial.chunks:
        return np.zeros(0, dtype=bool)
    return np.concatenate([c.has_text for c in partial.chunks])


class _Locator:
    """Global row index -> (chunk, row) -> file, line, record id, group."""

    def __init__(self, chunks: list[_Chunk]) -> None:
        self.chunks = chunks
        sizes = [len(c.lines) for c in chunks]
        self.starts = np.concatenate([[0], np.cumsum(sizes)]).astype(np.int64)

    def _at(self, pos: int) -> tuple[_Chunk, int]:
        c = int(np.searchsorted(self.starts, pos, side="right")) - 1
        return self.chunks[c], pos - int(self.starts[c])

    def row(self, pos: int) -> dict[str, Any]:
        chunk, r = self._at(pos)
        return {"file": chunk.file, "line": int(chunk.lines[r]), "record_id": chunk.record_id(r)}

    def group(self, pos: int) -> str | None:
        chunk, r = self._at(pos)
        return chunk.group(r)


def _examples(found: NearDuplicates, where: _Locator, limit: int) -> list[Example]:
    later = sorted(
        (int(p), int(g[0]), float(s))
        for g, sims in zip(found.groups, found.similarity_to_first, strict=True)
        for p, s in zip(g[1:], sims[1:], strict=True)
    )[:limit]
    out = []
    for pos, first, sim in later:
        head = where.row(first)
        out.append(
            Example(
                **where.row(pos),
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
    dups: dict[str, int] = {}
    for g in found.groups:
        for p in g[1:]:
            name = where.group(int(p))
            if name is not None:
                dups[name] = dups.get(name, 0) + 1
    return {
        g: {"near_duplicate_rate": rate(dups.get(g, 0), n)}
        for g, n in sorted(partial.group_records.items())
    }


CHECKS: list[type[Check]] = [NearDuplicateCheck]
