"""Chart data for a DAG's gantt, task duration, landing times and calendar views, with the
coordinates already computed so the templates only draw SVG."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from tradewind.core.spec import DagSpec
from tradewind.core.states import STATE_COLORS
from tradewind.metastore.models import DagRun, TaskInstance, TaskTry, utcnow

PALETTE = (
    "#1f77b4",
    "#ff7f0e",
    "#2ca02c",
    "#d62728",
    "#9467bd",
    "#8c564b",
    "#e377c2",
    "#7f7f7f",
    "#bcbd22",
    "#17becf",
)


# -- gantt ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class GanttBar:
    task_id: str
    map_index: int
    try_number: int
    state: str
    start: datetime
    end: datetime
    x: float
    w: float
    y: float
    running: bool


@dataclass
class Gantt:
    bars: list[GanttBar] = field(default_factory=list)
    start: datetime | None = None
    end: datetime | None = None
    width: float = 900
    row_h: float = 22
    label_w: float = 260
    ticks: list[tuple[float, str]] = field(default_factory=list)

    @property
    def height(self) -> float:
        return 40 + len(self.bars) * self.row_h


def gantt(session: Session, spec: DagSpec, run_id: str, *, width: float = 900) -> Gantt:
    """Every try of the run as a bar (a try still running ends now)."""
    order = {t: i for i, t in enumerate(spec.task_ids)}
    tries = session.execute(
        select(TaskTry)
        .where(TaskTry.dag_id == spec.dag_id, TaskTry.run_id == run_id)
        .where(TaskTry.start_date.is_not(None))
    ).scalars()
    now = utcnow()
    rows = sorted(
        tries, key=lambda t: (t.start_date, order.get(t.task_id, 0), t.map_index, t.try_number)
    )
    chart = Gantt(width=width)
    if not rows:
        return chart
    ends = [t.end_date or now for t in rows]
    start, end = min(t.start_date for t in rows), max(ends)
    span = max((end - start).total_seconds(), 0.001)
    chart.start, chart.end = start, end
    for index, (row, row_end) in enumerate(zip(rows, ends, strict=True)):
        offset = (row.start_date - start).total_seconds() / span * width
        length = max((row_end - row.start_date).total_seconds() / span * width, 2.0)
        chart.bars.append(
            GanttBar(
                task_id=row.task_id,
                map_index=row.map_index,
                try_number=row.try_number,
                state=row.state,
                start=row.start_date,
                end=row_end,
                x=chart.label_w + offset,
                w=length,
                y=30 + index * chart.row_h,
                running=row.end_date is None,
            )
        )
    chart.ticks = [(chart.label_w + width * i / 4, f"+{span * i / 4:.1f}s") for i in range(5)]
    return chart


# -- line charts over recent runs ----------------------------------------------------------


@dataclass(frozen=True)
class Series:
    name: str
    color: str
    points: str
    values: list[float | None]


@dataclass
class LineChart:
    title: str
    unit: str
    labels: list[str]
    series: list[Series] = field(default_factory=list)
    max_value: float = 0
    width: float = 900
    height: float = 300
    left: float = 60
    ticks: list[tuple[float, str]] = field(default_factory=list)


def _line_chart(
    title: str, unit: str, labels: list[str], data: dict[str, list[float | None]]
) -> LineChart:
    chart = LineChart(title=title, unit=unit, labels=labels)
    top = max((v for values in data.values() for v in values if v is not None), default=0)
    chart.max_value = top or 1.0
    plot_w, plot_h = chart.width - chart.left - 20, chart.height - 40
    step = plot_w / max(len(labels) - 1, 1)
    for index, (name, values) in enumerate(data.items()):
        points = [
            f"{chart.left + i * step:.1f},{10 + plot_h - v / chart.max_value * plot_h:.1f}"
            for i, v in enumerate(values)
            if v is not None
        ]
        chart.series.append(Series(name, PALETTE[index % len(PALETTE)], " ".join(points), values))
    chart.ticks = [
        (10 + plot_h - plot_h * i / 4, f"{chart.max_value * i / 4:.1f}") for i in range(5)
    ]
    return chart


def _recent_runs(session: Session, dag_id: str, limit: int) -> list[DagRun]:
    runs = session.execute(
        select(DagRun)
        .where(DagRun.dag_id == dag_id)
        .order_by(DagRun.logical_date.desc())
        .limit(limit)
    ).scalars()
    return list(reversed(list(runs)))


def _task_rows(session: Session, dag_id: str, run_ids: list[str]) -> list[TaskInstance]:
    if not run_ids:
        return []
    return list(
        session.execute(
            select(TaskInstance).where(
                TaskInstance.dag_id == dag_id, TaskInstance.run_id.in_(run_ids)
            )
        ).scalars()
    )


def durations(session: Session, spec: DagSpec, *, runs: int = 25) -> LineChart:
    """Each task's duration (seconds; the longest map index) over the latest runs."""
    recent = _recent_runs(session, spec.dag_id, runs)
    index = {r.run_id: i for i, r in enumerate(recent)}
    data: dict[str, list[float | None]] = {t: [None] * len(recent) for t in spec.task_ids}
    for ti in _task_rows(session, spec.dag_id, list(index)):
        if ti.task_id in data and ti.duration is not None:
            slot = index[ti.run_id]
            data[ti.task_id][slot] = max(data[ti.task_id][slot] or 0.0, ti.duration)
    labels = [r.logical_date.strftime("%m-%d %H:%M") for r in recent]
    return _line_chart("Task duration", "seconds", labels, _drop_empty(data))


def landing_times(session: Session, spec: DagSpec, *, runs: int = 25) -> LineChart:
    """How long after its data interval ended each task finished (Airflow's landing times)."""
    recent = _recent_runs(session, spec.dag_id, runs)
    index = {r.run_id: i for i, r in enumerate(recent)}
    run_of = {r.run_id: r for r in recent}
    data: dict[str, list[float | None]] = {t: [None] * len(recent) for t in spec.task_ids}
    for ti in _task_rows(session, spec.dag_id, list(index)):
        run = run_of[ti.run_id]
        anchor = run.data_interval_end or run.logical_date
        if ti.task_id in data and ti.end_date is not None:
            landed = max((ti.end_date - anchor).total_seconds(), 0.0)
            slot = index[ti.run_id]
            data[ti.task_id][slot] = max(data[ti.task_id][slot] or 0.0, landed)
    labels = [r.logical_date.strftime("%m-%d %H:%M") for r in recent]
    return _line_chart("Landing times", "seconds", labels, _drop_empty(data))


def _drop_empty(data: dict[str, list[float | None]]) -> dict[str, list[float | None]]:
    return {k: v for k, v in data.items() if any(x is not None for x in v)}


# -- calendar ------------------------------------------------------------------------------


@dataclass(frozen=True)
class CalendarDay:
    day: date
    x: float
    y: float
    color: str
    counts: dict[str, int]


@dataclass
class Calendar:
    days: list[CalendarDay] = field(default_factory=list)
    months: list[tuple[float, str]] = field(default_factory=list)
    cell: float = 13
    width: float = 0
    height: float = 0


def calendar(session: Session, dag_id: str, *, today: date | None = None) -> Calendar:
    """Runs per day over the last 365 days: green all succeeded, red any failed, else the
    colour of the unfinished state (a GitHub-style year of squares)."""
    today = today or utcnow().date()
    first = today - timedelta(days=364)
    since = datetime(first.year, first.month, first.day, tzinfo=utcnow().tzinfo)
    counts: dict[date, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for logical_date, state in session.execute(
        select(DagRun.logical_date, DagRun.state)
        .where(DagRun.dag_id == dag_id, DagRun.logical_date >= since)
        .limit(50_000)
    ):
        counts[logical_date.date()][state] += 1
    chart = Calendar()
    start = first - timedelta(days=first.weekday())
    left, top, cell = 30.0, 20.0, chart.cell
    seen_month = None
    day = first
    while day <= today:
        week = (day - start).days // 7
        x, y = left + week * (cell + 2), top + day.weekday() * (cell + 2)
        if day.month != seen_month:
            chart.months.append((x, day.strftime("%b")))
            seen_month = day.month
        found = dict(counts.get(day, {}))
        chart.days.append(CalendarDay(day, x, y, _day_color(found), found))
        day += timedelta(days=1)
    chart.width = left + ((today - start).days // 7 + 1) * (cell + 2) + 10
    chart.height = top + 7 * (cell + 2) + 10
    return chart


def _day_color(counts: dict[str, int]) -> str:
    if not counts:
        return "#ebedf0"
    if counts.get("failed"):
        return STATE_COLORS["failed"]
    if counts.get("running"):
        return STATE_COLORS["running"]
    if counts.get("queued"):
        return STATE_COLORS["queued"]
    return STATE_COLORS["success"]
