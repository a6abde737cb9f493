"""A DAG's graph as text: a tree for the terminal, Airflow's task tree, and Graphviz dot.

Pure functions of a :class:`DagSpec`; `dags show` and `tasks list --tree` print them.
"""

from __future__ import annotations

from tradewind.core.spec import DagSpec, TaskSpec


def _children(spec: DagSpec, task_id: str) -> list[str]:
    return sorted(spec.task_map[task_id].downstream)


def render_text_tree(spec: DagSpec) -> str:
    """The graph as a tree from its roots down; a task reached again is marked, not repeated."""
    tasks = spec.task_map
    lines = [
        f"DAG: {spec.dag_id}  (schedule: {spec.schedule.description}, {len(tasks)} tasks)",
    ]
    shown: set[str] = set()
    repeated = False

    def walk(task_id: str, prefix: str, connector: str, child_prefix: str) -> None:
        nonlocal repeated
        task = tasks[task_id]
        label = f"{task_id}  ({task.operator})"
        if task_id in shown:
            lines.append(f"{prefix}{connector}{task_id}  ↑")
            repeated = True
            return
        shown.add(task_id)
        lines.append(f"{prefix}{connector}{label}")
        children = _children(spec, task_id)
        for i, child in enumerate(children):
            last = i == len(children) - 1
            walk(
                child, prefix + child_prefix, "└── " if last else "├── ", "    " if last else "│   "
            )

    for root in sorted(spec.roots):
        walk(root, "", "", "")
    if repeated:
        lines.append("(↑ reached from more than one upstream: shown above)")
    if not tasks:
        lines.append("(no tasks)")
    return "\n".join(lines)


def render_task_tree(spec: DagSpec) -> str:
    """Airflow's ``tasks list --tree``: each task under each of its upstreams, indented."""
    tasks = spec.task_map
    lines: list[str] = []

    def walk(task_id: str, level: int) -> None:
        task = tasks[task_id]
        lines.append("    " * level + f"<Task({task.operator}): {task_id}>")
        if len(lines) > 5000:  # a very wide, deep DAG: Airflow would print forever
            return
        for child in _children(spec, task_id):
            walk(child, level + 1)

    for root in sorted(spec.roots):
        walk(root, 0)
    return "\n".join(lines)


def _quote(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _node(task: TaskSpec) -> str:
    label = task.task_id.rsplit(".", 1)[-1] if task.group_id else task.task_id
    attrs = {
        "label": label,
        "fillcolor": task.ui_color or "#fff",
        "tooltip": f"{task.operator} ({task.task_id})",
    }
    body = ", ".join(f"{k}={_quote(v)}" for k, v in attrs.items())
    return f"{_quote(task.task_id)} [{body}];"


def render_dot(spec: DagSpec) -> str:
    """Graphviz dot: one node per task (filled with its ``ui_color``), a cluster per TaskGroup."""
    lines = [
        f"digraph {_quote(spec.dag_id)} {{",
        f'    graph [label={_quote(spec.dag_id)}, labelloc="t", rankdir="LR"];',
        '    node [shape="rectangle", style="filled,rounded", fontname="Arial"];',
    ]
    children: dict[str | None, list[str]] = {}
    for group_id, info in sorted(spec.task_groups.items()):
        children.setdefault(info.get("parent"), []).append(group_id)
    members: dict[str | None, list[TaskSpec]] = {}
    for task in spec.tasks:
        members.setdefault(task.group_id, []).append(task)

    def emit(group_id: str | None, indent: str) -> None:
        for task in sorted(members.get(group_id, []), key=lambda t: t.task_id):
            lines.append(indent + _node(task))
        for child in children.get(group_id, []):
            lines.append(f"{indent}subgraph {_quote('cluster_' + child)} {{")
            lines.append(f"{indent}    label={_quote(child)};")
            emit(child, indent + "    ")
            lines.append(f"{indent}}}")

    emit(None, "    ")
    for group_id in sorted(set(members) - set(spec.task_groups) - {None}):
        for task in sorted(members[group_id], key=lambda t: t.task_id):
            lines.append("    " + _node(task))  # a group the spec does not describe
    for task in sorted(spec.tasks, key=lambda t: t.task_id):
        for child in sorted(task.downstream):
            lines.append(f"    {_quote(task.task_id)} -> {_quote(child)};")
    lines.append("}")
    return "\n".join(lines)
