"""A layered drawing of a DAG, computed from its spec (no user code): a task's column is the
longest path from a root to it, rows keep a task group's members together, and each group gets
a box around its members. The browser only hides and redraws (collapsing a group)."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from tradewind.core.spec import DagSpec, TaskSpec

NODE_W, NODE_H = 180, 34
GAP_X, GAP_Y = 80, 16
GROUP_PAD, GROUP_LABEL = 10, 18
MARGIN = 24


@dataclass(frozen=True)
class Node:
    task_id: str
    label: str
    operator: str
    x: float
    y: float
    groups: tuple[str, ...]
    state: str = "none"
    w: float = NODE_W
    h: float = NODE_H


@dataclass(frozen=True)
class Edge:
    source: str
    target: str
    path: str


@dataclass(frozen=True)
class GroupBox:
    group_id: str
    label: str
    tooltip: str
    x: float
    y: float
    w: float
    h: float
    depth: int
    size: int


@dataclass
class GraphLayout:
    nodes: list[Node] = field(default_factory=list)
    edges: list[Edge] = field(default_factory=list)
    groups: list[GroupBox] = field(default_factory=list)
    width: float = 0
    height: float = 0


def ranks(spec: DagSpec) -> dict[str, int]:
    """Longest path from any root, in the spec's order (Kahn's algorithm)."""
    order = {t.task_id: i for i, t in enumerate(spec.tasks)}
    upstream = {t.task_id: [u for u in t.upstream if u in order] for t in spec.tasks}
    downstream: dict[str, list[str]] = defaultdict(list)
    for task_id, ups in upstream.items():
        for up in ups:
            downstream[up].append(task_id)
    waiting = {task_id: len(ups) for task_id, ups in upstream.items()}
    ready = [t for t in order if waiting[t] == 0]
    rank = dict.fromkeys(order, 0)
    while ready:
        current = ready.pop(0)
        for child in downstream[current]:
            rank[child] = max(rank[child], rank[current] + 1)
            waiting[child] -= 1
            if waiting[child] == 0:
                ready.append(child)
    return rank


def _ancestry(group_id: str | None) -> tuple[str, ...]:
    if not group_id:
        return ()
    parts = group_id.split(".")
    return tuple(".".join(parts[: i + 1]) for i in range(len(parts)))


@dataclass
class _Block:
    """A task, or a group holding blocks; ``cols`` is the range of columns it covers."""

    task: TaskSpec | None = None
    group: str | None = None
    children: list[_Block] = field(default_factory=list)
    cols: tuple[int, int] = (0, 0)


def layout(spec: DagSpec, states: dict[str, str] | None = None) -> GraphLayout:
    """Positions of every task, edge and group box of ``spec``, nodes coloured by ``states``.

    Blocks (tasks, and groups as a whole) are stacked per column range, so a group's box never
    covers a task outside it.
    """
    states = states or {}
    rank = ranks(spec)
    root = _tree(spec, rank)
    groups_seen = [t.group_id for t in spec.tasks if t.group_id]
    nesting = _nesting({g: 0 for gid in groups_seen for g in _ancestry(gid)})
    depth = max((g.count(".") + 1 for g in nesting), default=0)
    x0 = MARGIN + GROUP_PAD * (depth + 1)
    ys: dict[str, float] = {}
    _place(root, MARGIN, ys, nesting)

    out = GraphLayout()
    positions: dict[str, Node] = {}
    for task in spec.tasks:
        label = task.task_id[len(task.group_id) + 1 :] if task.group_id else task.task_id
        node = Node(
            task_id=task.task_id,
            label=label,
            operator=task.operator,
            x=x0 + rank[task.task_id] * (NODE_W + GAP_X),
            y=ys[task.task_id],
            groups=_ancestry(task.group_id),
            state=states.get(task.task_id, "none"),
        )
        positions[task.task_id] = node
        out.nodes.append(node)
    for task in spec.tasks:
        for up in task.upstream:
            if up in positions:
                out.edges.append(
                    Edge(up, task.task_id, edge_path(positions[up], positions[task.task_id]))
                )
    out.groups = _group_boxes(spec, out.nodes, nesting)
    right = [n.x + n.w for n in out.nodes] + [g.x + g.w for g in out.groups]
    bottom = [n.y + n.h for n in out.nodes] + [g.y + g.h for g in out.groups]
    out.width = max(right, default=0) + MARGIN
    out.height = max(bottom, default=0) + MARGIN
    return out


def _tree(spec: DagSpec, rank: dict[str, int]) -> _Block:
    root = _Block()
    groups: dict[str, _Block] = {}
    for task in spec.tasks:
        parent = root
        for group in _ancestry(task.group_id):
            if group not in groups:
                groups[group] = _Block(group=group)
                parent.children.append(groups[group])
            parent = groups[group]
        parent.children.append(_Block(task=task, cols=(rank[task.task_id],) * 2))
    _span(root)
    return root


def _span(block: _Block) -> tuple[int, int]:
    if block.children:
        spans = [_span(child) for child in block.children]
        block.cols = (min(s[0] for s in spans), max(s[1] for s in spans))
    return block.cols


def _place(block: _Block, top: float, ys: dict[str, float], nesting: dict[str, int]) -> float:
    """Give the tasks of ``block`` their y from ``top``; returns the block's height."""
    if block.task is not None:
        ys[block.task.task_id] = top
        return NODE_H
    pad = _pad(nesting, block.group) if block.group else 0
    label = GROUP_LABEL * (nesting.get(block.group, 0) + 1) if block.group else 0
    start = top + pad + label
    skyline: dict[int, float] = {}
    bottom = start
    for child in block.children:
        columns = range(child.cols[0], child.cols[1] + 1)
        y = max([skyline.get(c, start) for c in columns])
        height = _place(child, y, ys, nesting)
        for column in columns:
            skyline[column] = y + height + GAP_Y
        bottom = max(bottom, y + height)
    return bottom - top + pad


def edge_path(source: Node, target: Node) -> str:
    x1, y1 = source.x + source.w, source.y + source.h / 2
    x2, y2 = target.x, target.y + target.h / 2
    bend = max(30.0, (x2 - x1) / 2)
    return (
        f"M{x1:.0f},{y1:.0f} C{x1 + bend:.0f},{y1:.0f} {x2 - bend:.0f},{y2:.0f} {x2:.0f},{y2:.0f}"
    )


def _nesting(groups: dict[str, int]) -> dict[str, int]:
    """How many levels of groups each group holds inside it."""
    nesting: dict[str, int] = dict.fromkeys(groups, 0)
    for group in groups:
        for ancestor in _ancestry(group)[:-1]:
            nesting[ancestor] = max(nesting[ancestor], group.count(".") - ancestor.count("."))
    return nesting


def _pad(nesting: dict[str, int], group: str) -> int:
    return GROUP_PAD * (nesting.get(group, 0) + 1)


def _group_boxes(spec: DagSpec, nodes: list[Node], nesting: dict[str, int]) -> list[GroupBox]:
    members: dict[str, list[Node]] = defaultdict(list)
    for node in nodes:
        for group in node.groups:
            members[group].append(node)
    boxes = []
    for group, inside in members.items():
        pad = _pad(nesting, group)
        left = min(n.x for n in inside) - pad
        top = min(n.y for n in inside) - pad - GROUP_LABEL * (nesting.get(group, 0) + 1)
        right = max(n.x + n.w for n in inside) + pad
        bottom = max(n.y + n.h for n in inside) + pad
        info = spec.task_groups.get(group, {})
        boxes.append(
            GroupBox(
                group_id=group,
                label=group.rsplit(".", 1)[-1],
                tooltip=str(info.get("tooltip") or ""),
                x=left,
                y=top,
                w=right - left,
                h=bottom - top,
                depth=group.count("."),
                size=len(inside),
            )
        )
    return sorted(boxes, key=lambda b: b.depth)
