"""`flywheel demo`: every capability that exists, once, on a fresh workspace.

Each step is a function of the workspace that prints what it did; later capabilities add steps.
"""

from __future__ import annotations

import json
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.table import Table

from dataflywheel.flows.governance.bootstrap import init_workspace
from dataflywheel.flows.governance.raci import check, ask_who
from dataflywheel.flows.workspace import Workspace, acting_as
from dataflywheel.settings import Settings

# A step gets the workspace, the console, and the ids earlier steps handed on (the failed
# batch, the frozen versions, the experiment).
Step = Callable[[Workspace, Console, dict[str, str]], None]
DEMO_RUNNER = "demo"  # the person `flywheel demo` makes of whoever runs it, bound to their login


def step_team(ws: Workspace, console: Console, state: dict[str, str]) -> None:
    from dataflywheel.demo.team import seed_team
    from dataflywheel.flows.governance.people import list_people

    seeded = seed_team(ws)
    table = Table(title="People and roles")
    for column in ("id", "name", "roles", "vendor"):
        table.add_column(column)
    for person, holdings in list_people(ws):
        table.add_row(person.id, person.name, ", ".join(h.role.value for h in holdings),
                      person.vendor_id or "")
    console.print(table)
    projects = Table(title="Projects")
    for column in ("id", "name", "phase", "owner", "layers"):
        projects.add_column(column)
    for p in seeded.projects:
        projects.add_row(p.id, p.name, p.phase, p.owner_id, ", ".join(layer.value for layer in p.layers))
    console.print(projects)
    console.print("Vendors: " + ", ".join(f"{v.name} ({v.id})" for v in seeded.vendors))


def step_raci(ws: Workspace, console: Console, state: dict[str, str]) -> None:
    problems = check(ws)
    console.print(f"RACI check: {'OK' if not problems else problems}")
    answer = ask_who(ws, "training_set_version_release", "P-K12")
    console.print(f"Training-set release for P-K12 — A: {answer.accountable}; R: "
                  f"{', '.join(answer.responsible)}; C: {', '.join(answer.consulted)}; "
                  f"I: {', '.join(answer.informed)}")


def step_integrity(ws: Workspace, console: Console, state: dict[str, str]) -> None:
    from dataflywheel.flows.integrity import check_audit, check_objects, check_versions
    from dataflywheel.store.audit import export_head

    entries, problems = check_audit(ws)
    console.print(f"Audit log: {entries} hash-chained entries, "
                  f"{'chain intact' if not problems else f'{len(problems)} problem(s)'}")
    with ws.db.session() as session:
        head = export_head(session, ws.settings.audit_key_path)
    console.print(f"Signed head: seq {head['seq']}, hash {head['entry_hash'][:16]}…, "
                  f"Ed25519 signature {head['signature'][:16]}…")
    if "head" in state:
        _incremental(ws, console, json.loads(state["head"]), head["public_key"])
    objects = check_objects(ws)
    console.print(f"Blob store: {objects.objects} objects re-hashed, "
                  f"{len(objects.references)} referenced by records, "
                  f"{'all match' if objects.ok else 'PROBLEMS'}")
    checked, differ = check_versions(ws)
    console.print(f"Frozen versions: {checked} manifest(s) recomputed from their rows, "
                  f"{'all match' if not differ else f'{len(differ)} difference(s)'}")


def _incremental(ws: Workspace, console: Console, earlier: dict[str, Any], key: str) -> None:
    """`flywheel audit verify --head FILE --incremental` from the head signed after the Data Pool
    scene: only what was appended since is re-hashed."""
    from dataflywheel.store.audit import verify_after_head

    with ws.db.session() as session:
        walk = verify_after_head(session, earlier, key)
    verdict = "intact" if not walk.problems else f"{len(walk.problems)} problem(s)"
    console.print(f"Incremental verify from the head signed after the Data Pool scene (seq "
                  f"{earlier['seq']}): {walk.checked} entries re-hashed, {verdict}; the "
                  f"{earlier['seq'] - 1} before it are covered by the full verify above")


def _contracts(ws: Workspace, console: Console, state: dict[str, str]) -> None:
    from dataflywheel.demo.contracts import demo_step
    from dataflywheel.demo.history import history_start

    demo_step(ws, console, registered=history_start())  # before the history's first batch


def _history(ws: Workspace, console: Console, state: dict[str, str]) -> None:
    from dataflywheel.demo.history import demo_step

    demo_step(ws, console)


def _quality(ws: Workspace, console: Console, state: dict[str, str]) -> None:
    from dataflywheel.demo.quality import demo_step

    demo_step(ws, console)


def _data_pool(ws: Workspace, console: Console, state: dict[str, str]) -> None:
    from dataflywheel.demo.data_pool import demo_step

    result = demo_step(ws, console)
    state["failed_batch"], state["v1"] = result.failed_batch, result.version
    state["head"] = _signed_head(ws)  # the integrity scene verifies what follows it


def _signed_head(ws: Workspace) -> str:
    """The audit log's head, signed now, as the JSON `flywheel audit head` writes."""
    from dataflywheel.store.audit import export_head

    with ws.db.session() as session:
        return json.dumps(export_head(session, ws.settings.audit_key_path))


def _exceptions(ws: Workspace, console: Console, state: dict[str, str]) -> None:
    from dataflywheel.demo.exceptions import demo_step

    demo_step(ws, console, failed_batch=state["failed_batch"], version=state["v1"])


def _access(ws: Workspace, console: Console, state: dict[str, str]) -> None:
    from dataflywheel.demo.access import demo_step

    demo_step(ws, console, version_id=state["v1"])


def _experiments(ws: Workspace, console: Console, state: dict[str, str]) -> None:
    from dataflywheel.demo.data_pool import next_version
    from dataflywheel.demo.experiments import demo_step

    state["v2"] = next_version(ws, console, previous=state["v1"], prefix="bl2")
    logged = demo_step(ws, console, baseline_version_id=state["v1"],
                       candidate_version_id=state["v2"])
    state["experiment"] = logged.experiment.id


def _feedback(ws: Workspace, console: Console, state: dict[str, str]) -> None:
    from dataflywheel.demo.data_pool import next_version
    from dataflywheel.demo.feedback import demo_step

    v3 = next_version(ws, console, previous=state["v2"], prefix="bl3", freeze_it=False)
    demo_step(ws, console, experiment_id=state["experiment"], next_version_id=v3)


def _reviews(ws: Workspace, console: Console, state: dict[str, str]) -> None:
    from dataflywheel.demo.reviews import demo_step

    state["baseline"] = demo_step(ws, console)


def _issues(ws: Workspace, console: Console, state: dict[str, str]) -> None:
    from dataflywheel.demo.issues import demo_step

    demo_step(ws, console)


def _server(ws: Workspace, console: Console, state: dict[str, str]) -> None:
    from dataflywheel.demo.data_pool import next_version
    from dataflywheel.demo.server import demo_step

    candidate = next_version(acting_as(ws, "lin.wei"), console, previous=state["v2"],
                             prefix="bl4", freeze_it=False)
    demo_step(ws, console, candidate=candidate)


def _offboarding(ws: Workspace, console: Console, state: dict[str, str]) -> None:
    from dataflywheel.demo.team import offboarding_step

    offboarding_step(ws, console)


def _metrics(ws: Workspace, console: Console, state: dict[str, str]) -> None:
    from dataflywheel.demo.metrics import step_metrics

    step_metrics(ws, console, state)


def _assessment(ws: Workspace, console: Console, state: dict[str, str]) -> None:
    from dataflywheel.demo.metrics import step_assessment

    step_assessment(ws, console, state)


def _system_registry(ws: Workspace, console: Console, state: dict[str, str]) -> None:
    from dataflywheel.demo.system import demo_step

    demo_step(ws, console)


def _system_runs(ws: Workspace, console: Console, state: dict[str, str]) -> None:
    from dataflywheel.demo.system_runs import step_system_runs

    step_system_runs(ws, console, state)


def _system_check(ws: Workspace, console: Console, state: dict[str, str]) -> None:
    from dataflywheel.demo.system_check import step_system_check

    step_system_check(ws, console, state)


def _dashboard(ws: Workspace, console: Console, state: dict[str, str]) -> None:
    from dataflywheel.demo.dashboard import dashboard_step

    dashboard_step(ws, console)


def _annotation(ws: Workspace, console: Console, state: dict[str, str]) -> None:
    from dataflywheel.demo.annotation import demo_step

    demo_step(ws, console, state)


# Each step runs as the person who drives it, through that person's login binding (the demo
# binds every demo person to a login of the same name); None: the person who ran `flywheel demo`.
STEPS: list[tuple[str, Step, str | None]] = [
    ("Seed the team", step_team, None),
    ("RACI as policy", step_raci, None),
    ("Interface contracts (ODCS) and a breaking change", _contracts, "lin.wei"),
    ("Eight weeks of history on the calendar: the weekly routine, two failed batches",
     _history, "lin.wei"),
    ("Quality engine on a vendor batch", _quality, "omar.haddad"),
    ("Data Pool: deliveries, a failed batch, a version frozen through the gate", _data_pool, "lin.wei"),
    ("Exceptions and lineage", _exceptions, "lin.wei"),
    ("Access: the asset registry and an expiring grant", _access, "lin.wei"),
    ("Experiment Pool: a regression against the baseline version", _experiments, "li.na"),
    ("Issue Pool: a P1 escalates and closes with a post-mortem", _issues, "lin.wei"),
    ("Feedback reflux: from wrong answers to the next version", _feedback, "lin.wei"),
    ("Spot check through review, and a baseline freeze by the freeze procedure", _reviews, "lin.wei"),
    ("The team server: three people with personal tokens, one refused", _server, None),
    ("Offboarding (Table 24-21): a person leaves", _offboarding, "lin.wei"),
    ("Metrics (Table 24-15) and the Monday sync (Table 24-12), from the records", _metrics, None),
    ("Self-assessment (Tables 24-26, 24-2, 24-30, 24-28), from the records", _assessment, None),
    ("Annotation governance (issue 23): a versioned guide, a vendor from onboarding to "
     "offboarding, the batches a guide change affected", _annotation, "lin.wei"),
    ("The flywheel as one system (issue 20): the P01–P15 registry, layers, control points",
     _system_registry, "lin.wei"),
    ("The flywheel as one system (issue 20): the stage plan, a run, bottlenecks, cost",
     _system_runs, "lin.wei"),
    ("The flywheel as one system (issue 20): the fifteen deliverables and the consistency check",
     _system_check, "lin.wei"),
    ("Integrity: audit chain and blob store", step_integrity, None),
    ("The web dashboard (issue 18): log in, read the flywheel, open it yourself", _dashboard,
     None),
]


def run_demo(directory: Path | None, console: Console) -> Path:
    """Run every step on a fresh workspace in `directory` (a new temp dir if None)."""
    home = directory or Path(tempfile.mkdtemp(prefix="flywheel-demo-"))
    home.mkdir(parents=True, exist_ok=True)
    settings = Settings(home=home, audit_key=home / "audit.key")
    console.rule("[bold]dataflywheel demo")
    console.print(f"workspace: {settings.workspace}")
    state: dict[str, str] = {}
    with init_workspace(settings, person=DEMO_RUNNER, name="Demo runner") as ws:
        console.print(f"you: {ws.actor} (login {ws.login})")
        for number, (title, step, login) in enumerate(STEPS, start=1):
            console.rule(f"{number}. {title}")
            acting = ws if login is None else acting_as(ws, login)
            if login is not None:
                console.print(f"[dim]acting as {acting.actor} (login {login})[/]")
            step(acting, console, state)
    console.rule("done")
    console.print(f"Explore it: flywheel --home {home} people list")
    return home
