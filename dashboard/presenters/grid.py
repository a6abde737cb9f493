"""The grid: runs as columns (one page of them), tasks as rows in the spec's order."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from tradewind.core.spec import DagSpec
from tradewind.metastore.models import DagRun, TaskInstance

#: which state a mapped task's cell shows when its instances differ (most telling first)
_SUMMARY_ORDER = (
    "running",
    "failed",
    "upstream_failed",
    "up_for_retry",
    "up_for_reschedule",
    "queued",
    "scheduled",
    "none",
    "skipped",
    "success",
    "removed",
)


@dataclass(frozen=True)
class GridRun:
    run_id: str
    logical_date: datetime
    state: str
    run_type: str
    start_date: datetime | None
    end_date: datetime | None


@dataclass(frozen=True)
class GridCell:
    state: str
    mapped_count: int
    try_number: int


@dataclass(frozen=True)
class GridRow:
    task_id: str
    label: str
    depth: int
    group_id: str | None
    cells: list[GridCell | None]


@dataclass(frozen=True)
class Grid:
    runs: list[GridRun]
    rows: list[GridRow]
    total_runs: int
    offset: int
    limit: int

    @property
    def older_offset(self) -> int | None:
        nxt = self.offset + self.limit
        return nxt if nxt < self.total_runs else None

    @property
    def newer_offset(self) -> int | None:
        return max(0, self.offset - self.limit) if self.offset > 0 else None


def summary_state(states: list[str]) -> str:
    present = set(states)
    for state in _SUMMARY_ORDER:
        if state in present:
            return state
    return states[0] if states else "none"


def recent_runs(session: Session, dag_id: str, *, offset: int, limit: int) -> list[GridRun]:
    """``limit`` runs after skipping the ``offset`` newest, oldest first (as columns read)."""
    rows = session.execute(
        select(
            DagRun.run_id,
            DagRun.logical_date,
            DagRun.state,
            DagRun.run_type,
            DagRun.start_date,
            DagRun.end_date,
        )
        .where(DagRun.dag_id == dag_id)
        .order_by(DagRun.logical_date.desc())
        .offset(offset)
        .limit(limit)
    ).all()
    return [GridRun(*row) for row in reversed(rows)]


def build_grid(session: Session, spec: DagSpec, *, offset: int = 0, limit: int = 25) -> Grid:
    total = (
        session.scalar(select(func.count()).select_from(DagRun).where(DagRun.dag_id == spec.dag_id))
        or 0
    )
    runs = recent_runs(session, spec.dag_id, offset=offset, limit=limit)
    states: dict[tuple[str, str], list[tuple[str, int]]] = defaultdict(list)
    if runs:
        for task_id, run_id, state, try_number in session.execute(
            select(
                TaskInstance.task_id,
                TaskInstance.run_id,
                TaskInstance.state,
                TaskInstance.try_number,
            ).where(
                TaskInstance.dag_id == spec.dag_id,
                TaskInstance.run_id.in_([r.run_id for r in runs]),
            )
        ):
            states[(task_id, run_id)].append((state, try_number))
    rows = []
    for task in spec.tasks:
        cells: list[GridCell | None] = []
        for run in runs:
            found = states.get((task.task_id, run.run_id))
            if not found:
                cells.append(None)
                continue
            cells.append(
                GridCell(
                    state=summary_state([s for s, _ in found]),
                    mapped_count=len(found) if task.mapped else 0,
                    try_number=max(t for _, t in found),
                )
            )
        depth = task.group_id.count(".") + 1 if task.group_id else 0
        label = task.task_id[len(task.group_id) + 1 :] if task.group_id else task.task_id
        rows.append(GridRow(task.task_id, label, depth, task.group_id, cells))
    return Grid(runs=runs, rows=rows, total_runs=total, offset=offset, limit=limit)
