"""The records people review: the stratified spot-check sample of a batch or of a version.

Reuses the spot check itself (`checks/builtin/spot_check.py` over `checks/stats/sampling.py`):
the sample of a batch is the one its delivery report drew; a batch whose contract has no spot
check, and a version (the final spot check before freezing), get one drawn by a plan that runs
only the spot check over the stored bytes. Same bytes, seed and size: same sample.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

from dataflywheel.checks.base import CheckResult
from dataflywheel.checks.builtin.spot_check import sheet_line, write_review_sheet
from dataflywheel.checks.report import QualityReport
from dataflywheel.domain.records.contract import Contract
from dataflywheel.domain.records.data import Batch, BatchFile
from dataflywheel.flows.workspace import Workspace


def batch_sample(ws: Workspace, batch: Batch) -> list[dict[str, Any]]:
    """The sample of one batch: its delivery's spot-check sample, or a fresh one."""
    if batch.report_sha256 is not None:
        with ws.blobs.open(batch.report_sha256) as fh:
            report = QualityReport.model_validate_json(fh.read())
        spot = report.checks.get("spot_check")
        if spot is not None:
            return [dict(row) | {"batch_id": batch.id} for row in spot.sections.get("sample", [])]
    with ws.db.session() as s:
        from dataflywheel.store.repositories.data import Batches

        files = Batches(s).files(batch.id)
    return drawn_sample(ws, [(batch, f) for f in files], id_field=id_field_of(ws, batch),
                        size=_sample_size(ws, batch))


def drawn_sample(ws: Workspace, files: Sequence[tuple[Batch, BatchFile]], *,
                 id_field: str | None, size: int, seed: int = 0) -> list[dict[str, Any]]:
    """A stratified sample over stored files, each row naming its batch and delivered file.

    Record ids are `BATCH:id` when the files come from more than one batch, so that the same id
    in two batches stays two records.
    """
    from contextlib import ExitStack

    from dataflywheel.checks.engines import run_checks
    from dataflywheel.checks.builtin.spot_check import SpotCheckSpec
    from dataflywheel.checks.plan import CheckPlan, ChecksSpec
    from dataflywheel.flows.data._staging import staged

    names = {f"{b.id}-{f.position}-{f.name}": (b, f) for b, f in files}
    plan = CheckPlan(name="review-sample", id_field=id_field, checks=ChecksSpec(
        structural=False, exact_duplicates=False, blank=False, charset=False, length=False,
        spot_check=SpotCheckSpec(sample_size=size, seed=seed)))
    with ExitStack() as stack:
        _, paths = stack.enter_context(staged(ws.blobs, [(n, f.sha256) for n, (_, f) in
                                                         names.items()]))
        result = run_checks(paths, plan, engine="single")
    many = len({b.id for b, _ in files}) > 1
    rows = []
    for row in result.checks["spot_check"].sections.get("sample", []):
        batch, f = names[Path(row["file"]).name]
        rid = f"{batch.id}:{row['record_id']}" if many else str(row["record_id"])
        rows.append(dict(row) | {"file": f.name, "record_id": rid, "batch_id": batch.id})
    return rows


def id_field_of(ws: Workspace, batch: Batch) -> str | None:
    """The record id field of the batch's pinned contract version (None: line numbers)."""
    return _contract(ws, batch).structural.id_field


def _sample_size(ws: Workspace, batch: Batch) -> int:
    return _contract(ws, batch).operational.spot_check_sample_size


def _contract(ws: Workspace, batch: Batch) -> Contract:
    from dataflywheel.integrations.odcs import parse_odcs
    from dataflywheel.store.repositories.contracts import ContractVersions

    with ws.db.session() as s:
        version = ContractVersions(s).get(batch.contract_version_id)
    return parse_odcs(version.document, source=version.id)


def sheet_rows(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The sample as sheet lines for reviewers: verdict and reviewer left empty (the API's answer;
    `write_sheet` writes the same lines as JSONL)."""
    return [sheet_line(r) for r in _blank(rows)]


def _blank(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [r | {"verdict": r.get("verdict"), "reviewer": r.get("reviewer"),
                 "note": r.get("note") or ""} for r in rows]


def write_sheet(rows: list[dict[str, Any]], out: Path) -> int:
    """The review sheet: one JSONL line per sampled record, verdict and reviewer left empty."""
    from dataflywheel.errors import BadInput

    if not out.parent.is_dir():
        raise BadInput("the folder of the review sheet does not exist", path=str(out.parent),
                       kept="nothing was written")
    return write_review_sheet(CheckResult(check="spot_check", metrics={},
                                          sections={"sample": _blank(rows)}), out)
