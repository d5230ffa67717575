"""`flywheel deliver`, `flywheel datasets …`, `flywheel versions …`, `flywheel freeze --baseline`.

Thin: parse, call a flow in flows/data/delivery.py, flows/data/versions.py or flows/data/version_release.py,
render. A failed delivery exits 1 (like a failed `flywheel check`); bad input exits 2.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, Optional

import typer

from dataflywheel.cli._context import workspace
from dataflywheel.cli.options import All, Cursor, GuideVersion, Json, Limit, Owner, Project, Purpose
from dataflywheel.cli.paging import show_list
from dataflywheel.cli.remote import server_as, server_of
from dataflywheel.cli.output import console, print_json, print_records
from dataflywheel.errors import BadInput
from dataflywheel.hookspecs import hookimpl

if TYPE_CHECKING:
    from dataflywheel.domain.records.data import DatasetVersion

datasets_app = typer.Typer(help="Datasets: named lines of versions.", no_args_is_help=True)
versions_app = typer.Typer(help="Dataset versions: candidate → frozen → archived.",
                           no_args_is_help=True)
By = Annotated[str, typer.Option("--by", help="Person id of whoever does it.")]
Engine = Annotated[str, typer.Option(help="Quality engine: local (processes) or single.")]
VERSION_COLUMNS = ["id", "dataset_id", "number", "state", "compliance", "baseline", "manifest_sha256"]


def deliver_cmd(
    ctx: typer.Context,
    files: Annotated[Optional[list[Path]], typer.Argument(
        metavar="FILE...", help="Files of the batch (or --url).", show_default=False)] = None,
    *,
    url: Annotated[Optional[list[str]], typer.Option(
        "--url", help="Object URL of a file of the batch, instead of FILE (repeat); read by the "
                      "server (or this workspace) under its allow-list (FLYWHEEL_FETCH_ALLOW).",
        show_default=False)] = None,
    dvc_repo: Annotated[Optional[str], typer.Option(
        "--dvc-repo", help="Read FILE... as paths of this DVC repository (a folder or git URL), "
                           "at --rev; the batch records repository, commit and paths.",
        show_default=False)] = None,
    rev: Annotated[Optional[str], typer.Option(
        help="Git revision of --dvc-repo (branch, tag or commit; default HEAD).",
        show_default=False)] = None,
    dataset: Annotated[str, typer.Option(help="Dataset name.")],
    contract: Annotated[str, typer.Option(help="Contract version, ID@VERSION.")],
    requirement: Annotated[str, typer.Option(help="Requirement id (REQ-NNNN).")],
    from_: Annotated[str, typer.Option("--from", help="Person or vendor id of the deliverer.")],
    annotators: Annotated[str | None, typer.Option(help="Annotator ids, comma-separated.")] = None,
    guide_version: GuideVersion = None,
    engine: Engine = "local",
    json_: Json = False,
) -> None:
    """Store the files byte for byte, check them under the contract, pass or fail the batch.

    With FLYWHEEL_SERVER set, the files are streamed to the team server, which delivers them;
    `--url` names objects the server reads itself (only under its allow-list)."""
    from dataflywheel.cli.remote import server_of
    from dataflywheel.flows.data.delivery import DeliveryAnswer, deliver
    from dataflywheel.flows.data.delivery_fetch import deliver_urls

    _files_or_urls(files, url)
    names = [a.strip() for a in annotators.split(",")] if annotators else None
    client = server_of(ctx)
    params = {"dataset": dataset, "contract": contract, "from": from_, "annotators": names,
              "guide_version": guide_version, "engine": engine}
    if dvc_repo is not None or rev is not None:
        answer = _deliver_dvc(ctx, client, dvc_repo, rev, files, url, {
            "dataset": dataset, "contract_version_id": contract, "requirement_id": requirement,
            "delivered_by": from_, "annotator_ids": names, "guide_version": guide_version,
            "engine": engine})
    elif client is not None:
        answer = DeliveryAnswer.model_validate(
            _deliver_remote(client, files or [], requirement, params) if files
            else _deliver_urls_remote(client, url or [], requirement, params))
    else:
        flow: dict[str, Any] = {"dataset": dataset, "contract_version_id": contract,
                                "requirement_id": requirement, "delivered_by": from_,
                                "annotator_ids": names, "guide_version": guide_version,
                                "engine": engine}
        with workspace(ctx) as ws:
            answer = (deliver(ws, files, **flow) if files
                      else deliver_urls(ws, url or [], **flow)).answer()
    _print_delivery(answer, json_)
    if not answer.accepted:
        raise typer.Exit(1)


def _deliver_dvc(ctx: typer.Context, client: Any, repo: str | None, rev: str | None,
                 files: list[Path] | None, urls: list[str] | None,
                 flow: dict[str, Any]) -> Any:
    """`deliver --dvc-repo`: read where the command runs, so never through a server (which
    could not see the repository, and whose upload would lose the repository and commit)."""
    from dataflywheel.errors import BadInput
    from dataflywheel.flows.data.delivery_dvc import deliver_from_dvc

    if repo is None or urls:
        raise BadInput("--rev goes with --dvc-repo, and --dvc-repo with FILE paths",
                       field="--dvc-repo", expected="--dvc-repo REPO [--rev REV] PATH...",
                       kept="nothing was stored")
    if client is not None:
        raise BadInput("a delivery from a DVC repository is read where you run it",
                       field="--dvc-repo", expected="FLYWHEEL_SERVER unset (a local workspace)",
                       kept="nothing was sent")
    with workspace(ctx) as ws:
        return deliver_from_dvc(ws, repo, [str(f) for f in files or []], rev=rev,
                                **flow).answer()


def _files_or_urls(files: list[Path] | None, urls: list[str] | None) -> None:
    """One batch comes from local files or from object URLs, not both (nor neither)."""
    if bool(files) == bool(urls):
        raise BadInput("name the files of the batch, or their object URLs with --url",
                       field="FILE", expected="FILE... or --url URL (repeat), not both",
                       got=f"{len(files or [])} file(s) and {len(urls or [])} URL(s)",
                       kept="nothing was delivered")


def _deliver_urls_remote(client: Any, urls: list[str], requirement: str,
                         params: dict[str, Any]) -> Any:
    """Name the objects for the server to read (its allow-list decides), in one request."""
    from urllib.parse import quote

    return client.call(
        "POST", f"/api/v1/requirements/{quote(requirement, safe='')}/deliveries/from-url",
        params={k: v for k, v in params.items() if v is not None}, json={"urls": urls})


def _deliver_remote(client: Any, files: list[Path], requirement: str,
                    params: dict[str, Any]) -> Any:
    """Stream the files of the delivery to the server, one after another in one body, each
    named with its size (checked here first like locally, so nothing is sent for a bad one)."""
    from urllib.parse import quote

    from dataflywheel.flows.data.delivery import check_inputs

    check_inputs(files)
    sizes = [path.stat().st_size for path in files]
    query = {k: v for k, v in params.items() if v is not None} | {
        "name": [path.name for path in files], "size": sizes}
    return client.call("POST", f"/api/v1/requirements/{quote(requirement, safe='')}/deliveries",
                       params=query, content=FileChunks(files),
                       headers={"content-type": "application/octet-stream",
                                "content-length": str(sum(sizes))})


class FileChunks:
    """Files' bytes one after another, a chunk at a time; iterable again (a retried request
    reads them anew)."""

    def __init__(self, paths: list[Path], chunk: int = 1024 * 1024) -> None:
        self.paths, self.chunk = paths, chunk

    def __iter__(self) -> Iterator[bytes]:
        for path in self.paths:
            with path.open("rb") as fh:
                while block := fh.read(self.chunk):
                    yield block


def _print_delivery(answer: Any, json_: bool) -> None:
    if json_:
        print_json(answer.model_dump(mode="json"))
        return
    b = answer.batch
    colour = "green" if b.state.value == "passed" else "red"
    console.print(f"[{colour}]{b.id} {b.state.value}[/]: {b.row_count} records in "
                  f"{len(answer.files)} file(s), report {b.report_sha256}", highlight=False)
    if b.failure_reason:
        console.print(f"  {b.failure_reason}", highlight=False)
    if answer.issue:
        console.print(f"  opened {answer.issue.severity.value} {answer.issue.id}: "
                      f"{answer.issue.title}", highlight=False)
    if b.state.value == "awaiting_review":
        console.print(f"  Next: flywheel batches review-sheet {b.id} --out SHEET.jsonl",
                      highlight=False)


@datasets_app.command("create")
def dataset_create(
    ctx: typer.Context, name: str,
    project: Project,
    owner: Owner,
    purpose: Purpose = "training",
    sensitivity: Annotated[str, typer.Option(help="public, internal, confidential, restricted.")] = "internal",
    description: str = "",
    scenario: Annotated[Optional[str], typer.Option(help="Table 24-29 scenario, e.g. exploratory_data (default: from the purpose).")] = None,
    json_: Json = False,
) -> None:
    """Register a dataset."""
    from dataflywheel.domain.records.data import Dataset
    from dataflywheel.flows.data.versions import create_dataset

    client = server_of(ctx)
    if client is not None:
        ds = Dataset.model_validate(client.call(
            "POST", f"/api/v1/projects/{_seg(project)}/datasets", json={
                "name": name, "owner": owner, "purpose": purpose, "sensitivity": sensitivity,
                "description": description, "scenario": scenario}))
    else:
        with workspace(ctx) as ws:
            ds = create_dataset(ws, name, project_id=project, owner_id=owner, purpose=purpose,
                                sensitivity=sensitivity, description=description,
                                scenario=scenario)
    _emit(ds.model_dump(mode="json"), json_, f"created dataset {ds.id} ({ds.name})")


@datasets_app.command("list")
def dataset_list(ctx: typer.Context, limit: Limit = None, cursor: Cursor = None, all_: All = False, json_: Json = False) -> None:
    """Every dataset with its current version."""
    from dataflywheel.flows.data.versions import datasets

    with workspace(ctx) as ws:
        show_list(ctx, datasets(ws), row=lambda d: d.model_dump(mode="json"),
                  columns=["id", "name", "purpose", "sensitivity", "project_id",
                           "current_version_id"], json_=json_, limit=limit, cursor=cursor, all_=all_)


@datasets_app.command("show")
def dataset_show(ctx: typer.Context, dataset: str, json_: Json = False) -> None:
    """One dataset (by id or name) and its current version."""
    from dataflywheel.flows.data.versions import get_dataset

    with workspace(ctx) as ws:
        ds = get_dataset(ws, dataset)
    _emit(ds.model_dump(mode="json"), json_,
          f"{ds.id} {ds.name} ({ds.purpose.value}, {ds.sensitivity.value}) in {ds.project_id}, "
          f"owner {ds.owner_id}, current version {ds.current_version_id or '-'}")


@versions_app.command("create")
def version_create(ctx: typer.Context, dataset: str, by: By,
                   batch: Annotated[list[str] | None, typer.Option(help="Batch id (repeat).")] = None,
                   json_: Json = False) -> None:
    """A new candidate of DATASET, optionally with batches."""
    from dataflywheel.flows.data.versions import create_version

    client = server_as(ctx, by)
    if client is not None:
        v = _version(client.call("POST", f"/api/v1/datasets/{_seg(dataset)}/versions",
                                 json={"batches": batch or []}))
    else:
        with workspace(ctx) as ws:
            v = create_version(ws, dataset, by=by, batch_ids=batch or [])
    _emit(v.model_dump(mode="json"), json_, f"created candidate {v.id}")


@versions_app.command("add")
def version_add(ctx: typer.Context, version: str, batches: list[str], by: By,
                json_: Json = False) -> None:
    """Add passed batches to a candidate (recomputes its union summary)."""
    from dataflywheel.flows.data.versions import add_batches

    client = server_as(ctx, by)
    if client is not None:
        v = _version(client.call("POST", f"{_path(version)}/add", json={"batches": batches}))
    else:
        with workspace(ctx) as ws:
            v = add_batches(ws, version, batches, by=by)
    _emit(v.model_dump(mode="json"), json_, f"{v.id}: {', '.join(batches)} added")


@versions_app.command("remove")
def version_remove(ctx: typer.Context, version: str, batches: list[str], by: By,
                   json_: Json = False) -> None:
    """Take batches out of a candidate (recomputes its union summary)."""
    from dataflywheel.flows.data.versions import remove_batches

    client = server_as(ctx, by)
    if client is not None:
        v = _version(client.call("POST", f"{_path(version)}/remove", json={"batches": batches}))
    else:
        with workspace(ctx) as ws:
            v = remove_batches(ws, version, batches, by=by)
    _emit(v.model_dump(mode="json"), json_, f"{v.id}: {', '.join(batches)} removed")


@versions_app.command("refresh")
def version_refresh(ctx: typer.Context, version: str, json_: Json = False) -> None:
    """Recompute a candidate's union quality summary (e.g. after a new evaluation set froze)."""
    from dataflywheel.flows.data.version_summary import refresh_summary
    from dataflywheel.flows.data.versions import get_version

    client = server_of(ctx)
    if client is not None:
        v = _version(client.call("POST", f"{_path(version)}/refresh"))
    else:
        with workspace(ctx) as ws:
            v = refresh_summary(ws, get_version(ws, version)[0].id)
    _emit(v.model_dump(mode="json"), json_, f"{v.id}: summary over {len(v.quality_summary.get('batches', []))} "
          f"batch(es), {v.quality_summary.get('records', 0)} records")


@versions_app.command("datasheet")
def version_datasheet(
    ctx: typer.Context, version: str, by: By,
    file: Annotated[Path | None, typer.Option(help="YAML mapping of datasheet sections.")] = None,
    set_: Annotated[list[str] | None, typer.Option("--set", help="SECTION=VALUE (repeat).")] = None,
    json_: Json = False,
) -> None:
    """Fill in datasheet sections of a candidate."""
    from dataflywheel.flows.data.versions import set_datasheet

    updates = _datasheet_updates(file, set_ or [])
    client = server_as(ctx, by)
    if client is not None:
        sections = json.loads(json.dumps(updates, default=str))  # YAML dates as their text
        v = _version(client.call("POST", f"{_path(version)}/datasheet",
                                 json={"sections": sections}))
    else:
        with workspace(ctx) as ws:
            v = set_datasheet(ws, version, updates, by=by)
    missing = v.datasheet.missing()
    _emit(v.model_dump(mode="json"), json_,
          f"{v.id}: datasheet " + ("complete" if not missing else "lacks " + ", ".join(missing)))


@versions_app.command("compliance")
def version_compliance(
    ctx: typer.Context, version: str, by: By,
    conclusion: Annotated[str, typer.Option(help="Legal/Compliance's conclusion.")],
    approve: Annotated[bool, typer.Option("--approve/--reject")] = True, json_: Json = False,
) -> None:
    """Legal/Compliance approves or rejects a candidate."""
    from dataflywheel.flows.data.versions import decide_compliance

    client = server_as(ctx, by)
    if client is not None:
        v = _version(client.call("POST", f"{_path(version)}/compliance",
                                 json={"approve": approve, "conclusion": conclusion}))
    else:
        with workspace(ctx) as ws:
            v = decide_compliance(ws, version, by=by, approve=approve, conclusion=conclusion)
    _emit(v.model_dump(mode="json"), json_, f"{v.id}: compliance {v.compliance.value}")


@versions_app.command("show")
def version_show(ctx: typer.Context, version: str,
                 approver: Annotated[str | None, typer.Option(help="Judge the gate as if this person approved.")] = None,
                 json_: Json = False,
                 baseline: Annotated[bool, typer.Option(
                     help="Also the freeze procedure's (g) notice and (h) final spot check.")] = False,
                 ) -> None:
    """One version: its batches, known defects (issues linked to it or its batches), and the
    freeze gate as it stands."""
    from dataflywheel.flows.data.version_view import version_view

    with workspace(ctx) as ws:
        v = version_view(ws, version, approver=approver, baseline=baseline)
    if json_:
        print_json(v.model_dump(mode="json"))
        return
    console.print(f"[bold]{v.label}[/] {v.state.value}  batches: {', '.join(v.batches) or '-'}",
                  highlight=False)
    if v.manifest_sha256:
        console.print(f"manifest {v.manifest_sha256}", highlight=False)
    for line in v.known_defects:
        console.print(f"known defect: {line}", highlight=False)
    for c in v.gate:
        mark = "[green]met[/]" if c.met else "[red]unmet[/]"
        console.print(f"({c.code}) {mark} {c.title}" + (": " + "; ".join(c.problems)
                                                        if c.problems else "")
                      + (f" ({c.note}" + (": " + "; ".join(c.skipped) if c.skipped else "")
                         + ")" if c.note else ""), highlight=False)


@versions_app.command("list")
def version_list(ctx: typer.Context, dataset: str | None = None, limit: Limit = None, cursor: Cursor = None, all_: All = False,
                 json_: Json = False) -> None:
    """Versions, optionally of one dataset."""
    from dataflywheel.flows.data.versions import versions

    with workspace(ctx) as ws:
        show_list(ctx, versions(ws, dataset), row=lambda v: v.model_dump(mode="json"),
                  columns=VERSION_COLUMNS, json_=json_, limit=limit, cursor=cursor, all_=all_)


def _freeze(ctx: typer.Context, version: str, by: str, consult: list[str], baseline: bool,
            json_: bool, waive: str | None = None) -> None:
    from dataflywheel.flows.data.version_release import freeze

    answers = dict(_pair(c, "--consult", "PERSON=RESPONSE") for c in consult)
    client = server_as(ctx, by)
    if client is not None:
        v = _version(client.call("POST", f"{_path(version)}/freeze", json={
            "consultations": answers, "baseline": baseline, "waive_procedure": waive}))
    else:
        with workspace(ctx) as ws:
            v = freeze(ws, version, by=by, consultations=answers, baseline=baseline,
                       waive_procedure=waive)
    _emit(v.model_dump(mode="json"), json_,
          f"[green]frozen {v.label}[/]{' (baseline)' if v.baseline else ''}: manifest {v.manifest_sha256}")


Consult = Annotated[list[str] | None, typer.Option(
    help="PERSON=RESPONSE of a Consulted person (repeat); others are recorded as no response.")]
Waive = Annotated[str | None, typer.Option(
    "--waive-procedure", metavar="REASON",
    help="Baseline only: the Accountable waives the freeze notice and final spot check (audited).")]


@versions_app.command("freeze")
def version_freeze(ctx: typer.Context, version: str, by: By, consult: Consult = None,
                   baseline: Annotated[bool, typer.Option(help="Make it the quarter's baseline.")] = False,
                   json_: Json = False, waive_procedure: Waive = None) -> None:
    """Freeze a candidate through the gate; BY must be the release's Accountable person."""
    _freeze(ctx, version, by, consult or [], baseline, json_, waive_procedure)


def freeze_cmd(ctx: typer.Context, version: str, by: By, consult: Consult = None,
               baseline: Annotated[bool, typer.Option(help="The quarter's baseline (required).")] = False,
               json_: Json = False, waive_procedure: Waive = None) -> None:
    """`flywheel freeze --baseline VERSION`: the quarterly baseline freeze."""
    if not baseline:
        raise BadInput("`flywheel freeze` makes the quarter's baseline", field="baseline",
                       expected="--baseline", hint=f"flywheel versions freeze {version} for a plain freeze")
    _freeze(ctx, version, by, consult or [], True, json_, waive_procedure)


@versions_app.command("notice")
def version_notice(ctx: typer.Context, version: str) -> None:
    """Freeze procedure step 1: notify the version's producers 3 days before a baseline freeze."""
    from dataflywheel.flows.data.freeze_procedure import issue_notice

    client = server_of(ctx)
    if client is not None:
        to = client.call("POST", f"{_path(version)}/notice")["to"]
    else:
        with workspace(ctx) as ws:
            to = [n.to_person_id for n in issue_notice(ws, version)]
    console.print(f"freeze notice for {version} sent to {', '.join(to)}", highlight=False)


@versions_app.command("final-check-sheet")
def version_final_sheet(ctx: typer.Context, version: str,
                        out: Annotated[Path, typer.Option("--out", help="Sheet (JSONL).")]) -> None:
    """Freeze procedure step 2: write the final spot check's stratified sample of a candidate."""
    from dataflywheel.flows.data.freeze_procedure import final_check_sheet
    from dataflywheel.flows.data.review_sample import write_sheet

    client = server_of(ctx)
    if client is not None:
        rows = write_sheet(client.call("GET", f"{_path(version)}/final-check-sheet")["rows"], out)
    else:
        with workspace(ctx) as ws:
            rows = final_check_sheet(ws, version, out)
    console.print(f"{rows} sampled record(s) of {version} written to {out}", highlight=False)


@versions_app.command("final-check")
def version_final_check(ctx: typer.Context, version: str,
                        reviews: Annotated[Path, typer.Argument(metavar="FILE")]) -> None:
    """Freeze procedure step 2: take the Quality Evaluators' verdicts (CSV/JSONL). Exit 2 if
    rows were rejected (the good rows are kept)."""
    from dataflywheel.flows.data.freeze_procedure import take_final_check
    from dataflywheel.flows.data.review_input import RejectedRow

    client = server_of(ctx)
    if client is not None:
        answer = client.call("POST", f"{_path(version)}/final-check", content=_read(reviews),
                             headers={"content-type": "text/csv" if reviews.suffix.lower() ==
                                      ".csv" else "application/x-ndjson"})
        taken, pending = answer["taken"], answer["pending"]
        rejected = [RejectedRow(r["line"], r["reason"]) for r in answer["rejected"]]
    else:
        with workspace(ctx) as ws:
            taken, rejected, pending = take_final_check(ws, version, reviews)
    console.print(f"{version}: {taken} verdict(s) taken, {pending} sampled record(s) pending",
                  highlight=False)
    for r in rejected:
        console.print(f"[red]{reviews}:{r.line}: rejected: {r.reason}[/]", highlight=False)
    if rejected:
        raise typer.Exit(2)


@versions_app.command("archive")
def version_archive(ctx: typer.Context, version: str, by: By, json_: Json = False) -> None:
    """Take a frozen version out of active use."""
    from dataflywheel.flows.data.version_release import archive

    client = server_as(ctx, by)
    if client is not None:
        v = _version(client.call("POST", f"{_path(version)}/archive"))
    else:
        with workspace(ctx) as ws:
            v = archive(ws, version, by=by)
    _emit(v.model_dump(mode="json"), json_, f"archived {v.label}")


@versions_app.command("reject")
def version_reject(ctx: typer.Context, version: str, by: By,
                   reason: Annotated[str, typer.Option(help="Why it is not released.")],
                   json_: Json = False) -> None:
    """Reject the release of a candidate (it becomes abandoned); BY must be the release's
    Accountable person."""
    from dataflywheel.flows.data.version_reject import reject_release

    client = server_as(ctx, by)
    if client is not None:
        v = _version(client.call("POST", f"{_path(version)}/reject", json={"reason": reason}))
    else:
        with workspace(ctx) as ws:
            v = reject_release(ws, version, by=by, reason=reason)
    _emit(v.model_dump(mode="json"), json_, f"release of {v.label} rejected: {reason}")


@versions_app.command("rollback")
def version_rollback(ctx: typer.Context, version: str, by: By,
                     issue: Annotated[str, typer.Option(help="The issue that explains it.")],
                     reason: Annotated[str, typer.Option(help="Why it is withdrawn.")],
                     json_: Json = False) -> None:
    """Withdraw a frozen version (never deleted) and move the current pointer back."""
    from dataflywheel.flows.data.version_release import rollback

    client = server_as(ctx, by)
    if client is not None:
        v = _version(client.call("POST", f"{_path(version)}/rollback",
                                 json={"issue": issue, "reason": reason}))
    else:
        with workspace(ctx) as ws:
            v = rollback(ws, version, by=by, issue_id=issue, reason=reason)
    _emit(v.model_dump(mode="json"), json_, f"withdrew {v.label} ({issue})")


# Through the team server (`FLYWHEEL_SERVER`): the datasets, versions and freeze commands that
# change state call the routes of `api/routers/{datasets,versions}.py` — the same flows, acting as
# the token's person — and print what they print locally; `server_as` refuses a `--by` naming
# anyone else. Listing and showing stay local.
def _seg(ref: str) -> str:
    """`ref` (an id, a name, DATASET@N) as one URL path segment."""
    from urllib.parse import quote

    return quote(ref, safe="@")


def _path(version: str) -> str:
    return f"/api/v1/versions/{_seg(version)}"


def _version(answer: Any) -> DatasetVersion:
    """The server's answer as the version record the local flow would have returned."""
    from dataflywheel.domain.records.data import DatasetVersion

    return DatasetVersion.model_validate(answer)


def _read(path: Path) -> bytes:
    """A reviews file's bytes to send, refused as the local flow refuses a missing one."""
    from dataflywheel.errors import NotFound

    try:
        return path.read_bytes()
    except FileNotFoundError:
        raise NotFound("reviews file not found", path=str(path), kept="nothing was recorded",
                       hint="flywheel batches review-sheet ID --out SHEET.jsonl") from None


def _emit(data: dict[str, Any], json_: bool, line: str) -> None:
    print_json(data) if json_ else console.print(line, highlight=False)


def _pair(text: str, option: str, shape: str) -> tuple[str, str]:
    key, sep, value = text.partition("=")
    if not sep or not key.strip():
        raise BadInput(f"cannot read {option} {text!r}", field=option, expected=shape)
    return key.strip(), value.strip()


def _datasheet_updates(file: Path | None, pairs: list[str]) -> dict[str, Any]:
    from dataflywheel.yamlsafe import safe_load

    updates: dict[str, Any] = {}
    if file is not None:
        try:
            data = safe_load(file.read_text(encoding="utf-8"), source=str(file))
        except FileNotFoundError:
            raise BadInput("datasheet file not found", path=str(file)) from None
        if not isinstance(data, dict):
            raise BadInput("a datasheet file must be a mapping", path=str(file),
                           got=type(data).__name__)
        updates.update(data)
    for pair in pairs:
        key, value = _pair(pair, "--set", "SECTION=VALUE")
        updates[key] = safe_load(value, source=f"--set {key}") if value else value
    if not updates:
        raise BadInput("nothing to set", expected="--file DATASHEET.yaml or --set SECTION=VALUE")
    return updates


@hookimpl
def register_commands(cli: typer.Typer) -> None:
    cli.command("deliver")(deliver_cmd)
    cli.command("freeze")(freeze_cmd)
    cli.add_typer(datasets_app, name="datasets")
    cli.add_typer(versions_app, name="versions")
