"""Effective priority weights of a DAG's tasks, by each task's ``weight_rule`` (as Airflow).

- ``downstream``: its own weight plus the weights of every task downstream of it;
- ``upstream``: its own weight plus the weights of every task upstream of it;
- ``absolute``: its own weight.
"""

from __future__ import annotations

from tradewind.core.graph import closure
from tradewind.core.spec import DagSpec


def priority_weights(spec: DagSpec) -> dict[str, int]:
    """``{task_id: effective priority weight}``."""
    weights = {t.task_id: t.priority_weight for t in spec.tasks}
    downstream = {t.task_id: t.downstream for t in spec.tasks}
    upstream = {t.task_id: t.upstream for t in spec.tasks}
    out: dict[str, int] = {}
    for t in spec.tasks:
        if t.weight_rule == "absolute":
            out[t.task_id] = t.priority_weight
            continue
        edges = upstream if t.weight_rule == "upstream" else downstream
        related = closure(edges, t.task_id)
        out[t.task_id] = t.priority_weight + sum(weights.get(r, 0) for r in related)
    return out
