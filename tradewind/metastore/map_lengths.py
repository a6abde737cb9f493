"""How many instances a task mapped over upstream results expands into, when its upstream
tasks have pushed their lists (read from their XComs' lengths)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sqlalchemy.orm import Session

from tradewind.core.spec import DagSpec


def map_lengths(
    session: Session, dag_id: str, run_id: str, candidates: Mapping[str, Any], spec: DagSpec
) -> dict[str, int | None]:
    """How many instances each candidate expands into: the product of the lengths of the XComs
    it maps over (zipped: the shortest, the longest with a fill value; ``TaskSpec.map_zip``)
    and of its literal lists (``TaskSpec.map_length``), as Airflow's cross product."""
    from tradewind.errors import TaskFailure
    from tradewind.metastore.xcoms import xcom_length

    cache: dict[str, int | None] = {}

    def length_of(factor: Any) -> int | None:
        if not isinstance(factor, str):  # ("zip" | "zip_longest", factor, ...)
            lengths = [length_of(p) for p in factor[1:]]
            pick = max if factor[0] == "zip_longest" else min
            return None if None in lengths else pick(lengths)  # type: ignore[type-var]
        if factor not in cache:
            try:
                cache[factor] = xcom_length(session, dag_id, run_id, factor)
            except TaskFailure:
                cache[factor] = None
        return cache[factor]

    out: dict[str, int | None] = {}
    for task_id, upstream_ids in candidates.items():
        total: int | None = 1
        for factor in spec.task(task_id).map_zip or upstream_ids:  # None: missing, or no list
            length = length_of(factor)
            total = None if total is None or length is None else total * length
        literal = spec.task(task_id).map_length  # expand(x=[1, 2], y=upstream.output)
        if total is not None and literal is not None:
            total *= literal
        out[task_id] = total
    return out
