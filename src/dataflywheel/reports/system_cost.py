"""The cost model of the assembly layer (P10 §13) and the leverage view of the chapter's "Budget,
Priority, and Return on Investment" topic.

Figures, all from records:
- manual review hours and cost: each project's `review_hours_estimate` and `cost_estimate`, and
  their totals (rounded to 2 places, as Listing P10-4);
- compute cost where recorded: the `compute_cost` param (or metric) of a project's experiments;
  annotation cost is recorded nowhere (no record holds a price), so the model shows the rows
  vendors delivered and says the cost is not recorded;
- shared platform benefits: interfaces one project offers that others consume, and reuse examples
  — registry assets used by a project other than their own;
- leverage per project: impact scope (projects consuming its interfaces), reusability (uses of its
  assets by others), risk exposure (its open issues), implementation cost (its cost estimate); each
  scaled 0–5 against the largest, `leverage = (impact + reusability + risk) / (1 + cost)`;
- budget shares: each project's cost estimate split evenly over its layers; data source and
  application are growth, processing and modeling efficiency, governance defensive.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from typing import Any

from pydantic import BaseModel
from sqlalchemy import select
from sqlalchemy.orm import Session

from dataflywheel.domain.records.project import Layer
from dataflywheel.domain.states import IssueState
from dataflywheel.store.repositories.governance import Assets, AssetUses
from dataflywheel.store.repositories.people import Projects
from dataflywheel.store.tables.data import BatchRow, DatasetRow
from dataflywheel.store.tables.experiments import ExperimentRow
from dataflywheel.store.tables.issues import IssueRow

LEVERAGE_FORMULA = "leverage = (impact + reusability + risk) / (1 + cost), each scaled 0–5"
BUDGET_KIND = {Layer.DATA_SOURCE: "growth", Layer.APPLICATION: "growth",
               Layer.PROCESSING: "efficiency", Layer.MODELING: "efficiency",
               Layer.GOVERNANCE: "defensive"}
OPEN_ISSUES = (IssueState.NEW.value, IssueState.ACKNOWLEDGED.value, IssueState.ASSIGNED.value)


class ProjectCost(BaseModel):
    project: str
    name: str
    review_hours: float
    review_cost: float
    compute_cost: float | None  # None: no experiment of the project recorded one
    vendor_rows: int
    impact_scope: int
    reusability: int
    risk_exposure: int
    leverage: float


class Reuse(BaseModel):
    asset: str
    owner_project: str | None
    used_by: list[str]


class SharedInterface(BaseModel):
    interface: str
    offered_by: list[str]
    consumed_by: list[str]


class CostModel(BaseModel):
    projects: list[ProjectCost]
    total_review_hours: float
    total_review_cost: float
    total_compute_cost: float | None
    annotation_cost_recorded: bool
    shared_interfaces: list[SharedInterface]
    reuse: list[Reuse]
    budget_shares: dict[str, float]
    leverage_formula: str = LEVERAGE_FORMULA


def downstream(projects: list[Any]) -> dict[str, list[str]]:
    """Each project's consumers: the other projects taking one of its `interfaces_out` in."""
    return {p.id: sorted({q.id for q in projects if q.id != p.id
                          and set(p.interfaces_out) & set(q.interfaces_in)})
            for p in projects}


def _compute_costs(s: Session) -> dict[str, float]:
    out: dict[str, float] = defaultdict(float)
    for project, params, metrics in s.execute(select(
            ExperimentRow.project_id, ExperimentRow.params, ExperimentRow.metrics)):
        value = (params or {}).get("compute_cost", (metrics or {}).get("compute_cost"))
        if project is not None and isinstance(value, int | float) and not isinstance(value, bool):
            out[project] += float(value)
    return dict(out)


def _vendor_rows(s: Session) -> Counter[str]:
    rows: Counter[str] = Counter()
    for project, count in s.execute(select(DatasetRow.project_id, BatchRow.row_count)
                                    .join(DatasetRow, DatasetRow.id == BatchRow.dataset_id)
                                    .where(BatchRow.delivered_by_vendor_id.is_not(None))):
        rows[project] += count
    return rows


def _scaled(values: dict[str, float]) -> dict[str, float]:
    top = max(values.values(), default=0.0)
    return {k: (5 * v / top if top else 0.0) for k, v in values.items()}


def query(session: Session) -> CostModel:
    """The cost model of every registered project."""
    s = session
    projects = sorted(Projects(s).list(), key=lambda p: p.id)
    consumers = downstream(projects)
    assets = {a.id: a for a in Assets(s).list()}
    reuse = _reuse(assets, AssetUses(s).list())
    reused = Counter(assets[r.asset].project_id for r in reuse for _ in r.used_by)
    risk = Counter(s.scalars(select(IssueRow.project_id).where(IssueRow.state.in_(OPEN_ISSUES))))
    compute, vendor = _compute_costs(s), _vendor_rows(s)
    raw: dict[str, dict[str, float]] = {
        "impact": {p.id: float(len(consumers[p.id])) for p in projects},
        "reuse": {p.id: float(reused.get(p.id, 0)) for p in projects},
        "risk": {p.id: float(risk.get(p.id, 0)) for p in projects},
        "cost": {p.id: p.cost_estimate for p in projects}}
    scaled = {k: _scaled(v) for k, v in raw.items()}
    rows = [ProjectCost(
        project=p.id, name=p.name, review_hours=p.review_hours_estimate,
        review_cost=p.cost_estimate, compute_cost=compute.get(p.id),
        vendor_rows=vendor.get(p.id, 0), impact_scope=len(consumers[p.id]),
        reusability=reused.get(p.id, 0), risk_exposure=risk.get(p.id, 0),
        leverage=round((scaled["impact"][p.id] + scaled["reuse"][p.id] + scaled["risk"][p.id])
                       / (1 + scaled["cost"][p.id]), 4)) for p in projects]
    return CostModel(
        projects=rows,
        total_review_hours=round(sum(p.review_hours_estimate for p in projects), 2),
        total_review_cost=round(sum(p.cost_estimate for p in projects), 2),
        total_compute_cost=round(sum(compute.values()), 2) if compute else None,
        annotation_cost_recorded=False,
        shared_interfaces=_shared(projects), reuse=reuse, budget_shares=_shares(projects))


def _reuse(assets: dict[str, Any], uses: list[Any]) -> list[Reuse]:
    by_asset: dict[str, set[str]] = defaultdict(set)
    for use in uses:
        owner = assets[use.asset_id].project_id
        if use.project_id != owner:
            by_asset[use.asset_id].add(use.project_id)
    return [Reuse(asset=a, owner_project=assets[a].project_id, used_by=sorted(p))
            for a, p in sorted(by_asset.items())]


def _shared(projects: list[Any]) -> list[SharedInterface]:
    names = sorted({i for p in projects for i in p.interfaces_out})
    out = []
    for name in names:
        offered = sorted(p.id for p in projects if name in p.interfaces_out)
        consumed = sorted(p.id for p in projects if name in p.interfaces_in
                          and p.id not in offered)
        if consumed:
            out.append(SharedInterface(interface=name, offered_by=offered, consumed_by=consumed))
    return out


def _shares(projects: list[Any]) -> dict[str, float]:
    spent: dict[str, float] = {"growth": 0.0, "efficiency": 0.0, "defensive": 0.0}
    for p in projects:
        for layer in p.layers:
            spent[BUDGET_KIND[layer]] += p.cost_estimate / len(p.layers)
    total = sum(spent.values())
    return {k: round(v / total, 4) if total else 0.0 for k, v in spent.items()}
