"""A version's lineage as one graph: requirement → batches → version → experiments → issues →
fixes, for the version page's diagram and its text list. Reads only.

Built from the same foreign keys as `flywheel lineage version` (`lineage.version_lineage`), the
experiments that used the version (`Experiments.using`, as `lineage.requirement_path`), the issues
linked to the version, its batches or those experiments (`Issues.linked_to`), and, as an issue's
fix, its post-mortem with the process change it links (`postmortems.change_of`). Every node is a
record id, so each one can be a link to its own page.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel

from dataflywheel.domain.records.issue import Issue, PostMortem, ProcessChangeKind
from dataflywheel.flows.workspace import Workspace

NodeKind = Literal["requirement", "batch", "version", "experiment", "issue", "fix"]
KINDS: tuple[NodeKind, ...] = ("requirement", "batch", "version", "experiment", "issue", "fix")


class GraphNode(BaseModel):
    id: str
    kind: NodeKind
    label: str
    state: str | None = None


class GraphEdge(BaseModel):
    source: str
    target: str


class LineageGraph(BaseModel):
    """Nodes in column order (`KINDS`), then by id; edges by (source, target)."""

    version: str
    nodes: list[GraphNode]
    edges: list[GraphEdge]

    def column(self, kind: NodeKind) -> list[GraphNode]:
        return [n for n in self.nodes if n.kind == kind]


def version_graph(ws: Workspace, version_ref: str) -> LineageGraph:
    """The lineage graph of the version (id or DATASET@N)."""
    from dataflywheel.flows.issues.postmortems import change_of
    from dataflywheel.store.repositories.data import DatasetVersions, resolve_version
    from dataflywheel.store.repositories.experiments import Experiments
    from dataflywheel.store.repositories.issues import Issues, PostMortems
    from dataflywheel.store.repositories.people import Requirements

    nodes: dict[str, GraphNode] = {}
    edges: set[tuple[str, str]] = set()
    with ws.db.session() as s:
        version = resolve_version(s, version_ref)
        nodes[version.id] = GraphNode(id=version.id, kind="version", label=version.label,
                                      state=version.state.value)
        issues = Issues(s)
        for issue in issues.linked_to(version_id=version.id):
            _issue(nodes, edges, version.id, issue)
        for b in DatasetVersions(s).batches_of(version.id):
            req = Requirements(s).get(b.requirement_id)
            nodes[req.id] = GraphNode(id=req.id, kind="requirement", label=req.title,
                                      state=req.state.value)
            nodes[b.id] = GraphNode(id=b.id, kind="batch", label=f"{b.row_count} records",
                                    state=b.state.value)
            edges |= {(req.id, b.id), (b.id, version.id)}
            for issue in issues.linked_to(batch_id=b.id):
                _issue(nodes, edges, b.id, issue)
        for e in Experiments(s).using(version.id):
            nodes[e.id] = GraphNode(id=e.id, kind="experiment", label=e.title,
                                    state=e.state.value)
            edges.add((version.id, e.id))
            for issue in issues.linked_to(experiment_id=e.id):
                _issue(nodes, edges, e.id, issue)
        for issue_id in [n.id for n in nodes.values() if n.kind == "issue"]:
            for pm in PostMortems(s).list(issue_id=issue_id):
                _fix(nodes, edges, issue_id, pm, change_of(pm))
    order = {k: i for i, k in enumerate(KINDS)}
    return LineageGraph(
        version=version.id,
        nodes=sorted(nodes.values(), key=lambda n: (order[n.kind], n.id)),
        edges=[GraphEdge(source=a, target=b) for a, b in sorted(edges)])


def _issue(nodes: dict[str, GraphNode], edges: set[tuple[str, str]], source: str,
           issue: Issue) -> None:
    nodes[issue.id] = GraphNode(id=issue.id, kind="issue",
                                label=f"{issue.severity.value}: {issue.title}",
                                state=issue.state.value)
    edges.add((source, issue.id))


def _fix(nodes: dict[str, GraphNode], edges: set[tuple[str, str]], issue_id: str,
         pm: PostMortem, change: tuple[ProcessChangeKind, str] | None) -> None:
    label = f"{change[0].value} {change[1]}" if change else "no process change linked yet"
    nodes[pm.id] = GraphNode(id=pm.id, kind="fix", label=label, state=pm.state.value)
    edges.add((issue_id, pm.id))
