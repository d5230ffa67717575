"""The lineage drawing's geometry: one column per kind in the flywheel's order, one box per
record, each edge from its source's right edge to its target's left edge."""

from __future__ import annotations

from dataflywheel.flows.data.version_graph import GraphEdge, GraphNode, LineageGraph
from dataflywheel.web.lineage_svg import BOX_H, BOX_W, COL_W, diagram, short


def test_boxes_sit_in_their_kinds_column_and_lines_join_them() -> None:
    graph = LineageGraph(version="V-1", nodes=[
        GraphNode(id="REQ-1", kind="requirement", label="r"),
        GraphNode(id="B-1", kind="batch", label="b1"),
        GraphNode(id="B-2", kind="batch", label="b2"),
        GraphNode(id="V-1", kind="version", label="x" * 40, state="candidate")],
        edges=[GraphEdge(source="REQ-1", target="B-2"), GraphEdge(source="B-2", target="V-1")])
    d = diagram(graph)
    where = {b.id: (b.x, b.y) for b in d.boxes}
    assert where["B-1"][0] == where["B-2"][0] == where["REQ-1"][0] + COL_W
    assert where["V-1"][0] == where["B-1"][0] + COL_W and where["B-2"][1] > where["B-1"][1]
    first = d.lines[0]
    assert (first.x1, first.y1) == (where["REQ-1"][0] + BOX_W, where["REQ-1"][1] + BOX_H // 2)
    assert (first.x2, first.y2) == (where["B-2"][0], where["B-2"][1] + BOX_H // 2)
    assert [k for k, _ in d.columns] == ["requirement", "batch", "version", "experiment",
                                         "issue", "fix"]
    assert d.width >= 6 * COL_W and d.height > where["B-2"][1] + BOX_H
    assert next(b for b in d.boxes if b.id == "V-1").label == short("x" * 40)
    assert short("x" * 40).endswith("…") and len(short("x" * 40)) == 24 and short("ab") == "ab"
