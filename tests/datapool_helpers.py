"""Helpers for the Data Pool tests: a team workspace with a contract, a requirement in progress,
a dataset, and generated JSONL deliveries (clean, duplicated, blank-heavy)."""

from __future__ import annotations

import json
import random
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from dataflywheel.domain.records.demand import Priority, RequirementKind
from dataflywheel.flows.workspace import Workspace

CONTRACT = "cleaned-raw-pool@1.0.0"
WORDS = [f"{a}{b}" for a in ("ka", "lo", "mi", "nu", "pe", "ri", "su", "ta", "vo", "ze", "qua", "bri")
         for b in ("n", "x", "m", "rt", "lk", "sp", "dd", "ng", "ch", "st", "ff", "zz")]

FULL_DATASHEET: dict[str, Any] = {
    "objective": "Cleaned raw text for annotation task design.",
    "sources": ["vendor crawl"], "sample_size": 40, "cleaning_rules": ["dedup", "markup removed"],
    "annotation_standard": "none (raw pool)", "guide_version": "n/a",
    "quality_summary": "see the union report", "compliance_conclusion": "public web text",
    "known_defects": [], "applicable_scenarios": ["annotation"],
    "inapplicable_scenarios": ["evaluation"],
}


@dataclass
class Pool:
    ws: Workspace
    requirement: str
    dataset: str


def contract_and_requirement(ws: Workspace, contract_text: str | None = None) -> str:
    """On a `team` workspace: the cleaned-raw-pool contract (or `contract_text`, a version of
    it) and a P1 requirement in progress."""
    from contract_fixtures import contract_text as fixture_text

    from dataflywheel.flows.contracts.lifecycle import register_contract
    from dataflywheel.integrations.odcs import parse_odcs

    text = contract_text or fixture_text("cleaned-raw-pool")
    register_contract(ws, parse_odcs(text, source="cleaned-raw-pool"), text, by="data-owner",
                      project_id="P-TEST")
    return requirement_in_progress(ws, "Raw pool for K-12")


def requirement_in_progress(ws: Workspace, title: str, *, annotation: bool = False) -> str:
    """A P1 requirement of P-TEST (Accountable data-owner), triaged, committed and started, so it
    takes deliveries; an annotation requirement's Responsible is the annotation engineer."""
    from datetime import timedelta

    from dataflywheel.domain.records.base import utcnow
    from dataflywheel.flows.demand import lifecycle as demand
    from dataflywheel.flows.demand.requirements import submit_requirement

    kind = RequirementKind.ANNOTATION if annotation else RequirementKind.NEW_DATA
    req = submit_requirement(ws, title=title, project_id="P-TEST",
                             requester_id="algorithm-engineer", kind=kind,
                             priority=Priority.P1,
                             target_metric="tutor accuracy" if annotation else "coverage",
                             acceptance_criteria="passes the contract",
                             responsible_id="annotation-engineer" if annotation
                             else "data-engineer",
                             accountable_id="data-owner", deadline=utcnow() + timedelta(days=7))
    demand.triage(ws, req.id)
    demand.commit_week(ws, [req.id], week="2026-W48")
    demand.start(ws, req.id)
    return req.id


def setup_pool(ws: Workspace, *, sensitivity: str = "public", purpose: str = "training",
               dataset: str = "raw-pool", contract_text: str | None = None) -> Pool:
    """On a `team` workspace: the cleaned-raw-pool contract (or `contract_text`), REQ in
    progress, a dataset."""
    from dataflywheel.flows.data.versions import create_dataset

    requirement = contract_and_requirement(ws, contract_text)
    create_dataset(ws, dataset, project_id="P-TEST", owner_id="data-owner", purpose=purpose,
                   sensitivity=sensitivity)
    return Pool(ws=ws, requirement=requirement, dataset=dataset)


def sentence(rng: random.Random, n: int = 14) -> str:
    return " ".join(rng.choice(WORDS) for _ in range(n))


def records(prefix: str, n: int, *, seed: int, dup_every: int = 0, blank_every: int = 0,
            texts: list[str] | None = None) -> list[dict[str, Any]]:
    rng = random.Random(seed)
    out = []
    for i in range(n):
        content = texts[i] if texts is not None else sentence(rng)
        if dup_every and i % dup_every == dup_every - 1:
            content = out[0]["content"]
        if blank_every and i % blank_every == blank_every - 1:
            content = "   "
        out.append({"id": f"{prefix}-{i}", "content": content, "source": "web",
                    "clean_timestamp": "2026-11-20T09:30:00Z"})
    return out


def write_jsonl(path: Path, rows: list[dict[str, Any]]) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows),
                    encoding="utf-8")
    return path


def deliver_clean(pool: Pool, path: Path, prefix: str, *, seed: int, n: int = 20,
                  by: str = "data-engineer", **kw: Any):  # type: ignore[no-untyped-def]
    from dataflywheel.flows.data.delivery import deliver

    write_jsonl(path, records(prefix, n, seed=seed, **kw))
    return deliver(pool.ws, [path], dataset=pool.dataset, contract_version_id=CONTRACT,
                   requirement_id=pool.requirement, delivered_by=by, engine="single")


def audit_count(ws: Workspace, action: str, record_id: str | None = None) -> int:
    from sqlalchemy import func, select

    from dataflywheel.store.tables.audit import AuditEntryRow

    stmt = select(func.count()).select_from(AuditEntryRow).where(AuditEntryRow.action == action)
    if record_id is not None:
        stmt = stmt.where(AuditEntryRow.record_id == record_id)
    with ws.db.session() as s:
        return s.scalar(stmt) or 0


def make_team(ws: Workspace) -> Workspace:
    """What the `team` fixture builds: one person per role and project P-TEST, through flows."""
    from dataflywheel.domain.records.people import Person
    from dataflywheel.domain.records.project import Project
    from dataflywheel.domain.roles import Role
    from dataflywheel.flows.governance.people import add_person
    from dataflywheel.flows.demand.projects import add_project

    for role in Role:
        person_id = role.value.replace("_", "-")
        add_person(ws, Person(id=person_id, name=role.value.title()), roles=[role], login=person_id)
    add_project(ws, Project(id="P-TEST", name="Test project", owner_id="data-owner"))
    return ws


def frozen_version(ws: Workspace, tmp_path: Path) -> str:
    """On a `team` workspace: one clean batch frozen through the release gate; its version id."""
    from dataflywheel.flows.data import versions
    from dataflywheel.flows.data.version_release import freeze

    pool = setup_pool(ws, sensitivity="public")
    batch = deliver_clean(pool, tmp_path / "a.jsonl", "a", seed=1).batch
    version = versions.create_version(ws, pool.dataset, by="data-engineer", batch_ids=[batch.id])
    versions.set_datasheet(ws, version.id, FULL_DATASHEET, by="data-engineer")
    freeze(ws, version.id, by="data-owner")
    return version.id


def raw_sql(ws: Workspace, sql: str, **params: object) -> None:
    """Run SQL past every flow, as an attacker or a careless script would."""
    from sqlalchemy import text

    with ws.db.engine.begin() as conn:
        conn.execute(text(sql), params)
