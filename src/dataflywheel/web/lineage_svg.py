"""A version's lineage graph laid out for an inline SVG: one column per kind of record
(requirement → batch → version → experiment → issue → fix), one box per record, a line per edge.

Only geometry is computed here; the template draws it with presentation attributes (the pages'
Content-Security-Policy allows no inline style). The picture is an image with a label; the page's
text list of the same nodes and edges carries the links, so nothing is only in the drawing.
"""

from __future__ import annotations

from dataclasses import dataclass

from dataflywheel.flows.data.version_graph import KINDS, LineageGraph

BOX_W, BOX_H = 170, 40
COL_W, ROW_H = 200, 52
PAD, HEAD = 10, 28
LABEL_CHARS = 24


@dataclass(frozen=True)
class Box:
    id: str
    kind: str
    x: int
    y: int
    label: str
    state: str


@dataclass(frozen=True)
class Line:
    x1: int
    y1: int
    x2: int
    y2: int


@dataclass(frozen=True)
class Diagram:
    width: int
    height: int
    columns: list[tuple[str, int]]  # (kind, x of its heading)
    boxes: list[Box]
    lines: list[Line]


def short(text: str, size: int = LABEL_CHARS) -> str:
    """`text` cut to `size` characters, an ellipsis marking the cut."""
    return text if len(text) <= size else text[:size - 1] + "…"


def diagram(graph: LineageGraph) -> Diagram:
    """Boxes in columns by kind (rows in the graph's order), lines from a box's right edge to the
    next box's left edge."""
    where: dict[str, tuple[int, int]] = {}
    boxes: list[Box] = []
    for col, kind in enumerate(KINDS):
        for row, node in enumerate(graph.column(kind)):
            x, y = PAD + col * COL_W, HEAD + PAD + row * ROW_H
            where[node.id] = (x, y)
            boxes.append(Box(node.id, kind, x, y, short(node.label), node.state or ""))
    lines = [Line(where[e.source][0] + BOX_W, where[e.source][1] + BOX_H // 2,
                  where[e.target][0], where[e.target][1] + BOX_H // 2)
             for e in graph.edges if e.source in where and e.target in where]
    rows = max((len(graph.column(k)) for k in KINDS), default=1)
    return Diagram(width=PAD * 2 + len(KINDS) * COL_W, height=HEAD + PAD * 2 + rows * ROW_H,
                   columns=[(k, PAD + i * COL_W) for i, k in enumerate(KINDS)],
                   boxes=boxes, lines=lines)
