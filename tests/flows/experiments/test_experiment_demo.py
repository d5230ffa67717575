"""The demo step: generated GSM8K-shaped results regress and open an issue."""

from __future__ import annotations

from datetime import UTC, datetime

from rich.console import Console

from dataflywheel.flows.workspace import Workspace


def _frozen_versions(ws: Workspace) -> None:
    from dataflywheel.domain.records.data import Dataset, DatasetVersion
    from dataflywheel.domain.states import VersionState
    from dataflywheel.store.repositories.data import Datasets, DatasetVersions

    at = datetime(2026, 11, 20, tzinfo=UTC)
    with ws.db.unit_of_work() as s:
        Datasets(s).add(Dataset(id="k12-sft", name="k12-sft", project_id="P-K12",
                                owner_id="lin.wei"))
        for number in (1, 2):
            DatasetVersions(s).add(DatasetVersion(
                id=f"k12-sft-v{number}", dataset_id="k12-sft", number=number,
                state=VersionState.FROZEN, manifest_sha256=str(number) * 64, frozen_at=at,
                created_by_id="chen.jie"))


def test_demo_step_regresses_and_opens_a_linked_issue(ws: Workspace) -> None:
    from dataflywheel.demo.experiments import demo_step, generate_solutions
    from dataflywheel.demo.team import seed_team
    from dataflywheel.store.repositories.issues import Issues

    seed_team(ws)
    _frozen_versions(ws)
    console = Console(record=True, width=120)
    logged = demo_step(ws, console, baseline_version_id="k12-sft-v1",
                       candidate_version_id="k12-sft-v2")
    assert sorted(d.name for d in logged.regressions) == ["accuracy", "accuracy.percentage"]
    issue = logged.issue
    assert issue is not None and issue.severity.value == "P1" and issue.owner_id
    with ws.db.session() as s:
        targets = [ln.target for ln in Issues(s).links(issue.id)]
    assert ("version_id", "k12-sft-v1") in targets and ("version_id", "k12-sft-v2") in targets
    samples = [t for t in targets if t[0] == "error_sample_id"]
    assert samples and "by category: percentage" in issue.description
    text = console.export_text()
    assert f"{issue.id} opened (P1" in text and "regressed" in text
    assert generate_solutions() == generate_solutions()  # reproducible from its seed
