"""``/metrics`` in Prometheus' text format: one registry per app, and a collector that reads
the metastore at scrape time (nothing is counted in this process, so every dashboard replica
answers the same)."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from datetime import timedelta
from typing import Any

from sqlalchemy import case, func, select
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response

from tradewind.core.states import DagRunState, TaskState
from tradewind.metastore.models import DagRun, SchedulerJob, TaskInstance, TaskTry, utcnow

#: upper bounds (seconds) of the task-duration histogram
DURATION_BUCKETS: tuple[float, ...] = (1, 5, 10, 30, 60, 300, 600, 1800, 3600, 4 * 3600)
#: task tries that ended within this window feed the histogram
DURATION_WINDOW = timedelta(hours=1)

_lock = threading.Lock()


class MetastoreCollector:
    """Gauges and a histogram computed from the metastore when Prometheus scrapes."""

    def __init__(self, app_state: Any) -> None:
        self.app_state = app_state

    def describe(self) -> list[Any]:
        return []  # computed at scrape time; nothing to describe up front

    def collect(self) -> Iterator[Any]:
        from prometheus_client.core import GaugeMetricFamily

        from dashboard.fleet_stats import broker_stats_for, queue_stats, worker_counts

        settings = self.app_state.settings
        with self.app_state.metastore.session() as session:
            yield _by_state(
                session,
                "tradewind_task_instances",
                "Task instances by state.",
                TaskInstance.state,
                [s.value for s in TaskState],
            )
            yield _by_state(
                session,
                "tradewind_dag_runs",
                "DAG runs by state.",
                DagRun.state,
                [s.value for s in DagRunState],
            )
            queues = queue_stats(settings, session, broker_stats_for(self.app_state, settings))
            depth = GaugeMetricFamily(
                "tradewind_queue_depth", "Messages waiting per queue.", labels=["queue"]
            )
            in_flight = GaugeMetricFamily(
                "tradewind_queue_in_flight", "Tries taken but not finished.", labels=["queue"]
            )
            consumers = GaugeMetricFamily(
                "tradewind_queue_consumers", "Consumers per queue.", labels=["queue"]
            )
            for row in queues:
                depth.add_metric([row["queue"]], row["depth"])
                in_flight.add_metric([row["queue"]], row["in_flight"] or 0)
                consumers.add_metric([row["queue"]], row["consumers"])
            yield from (depth, in_flight, consumers)
            workers = GaugeMetricFamily(
                "tradewind_workers", "Registered workers by status.", labels=["status"]
            )
            for status, count in worker_counts(session).items():
                workers.add_metric([status], count)
            yield workers
            yield from _scheduler(session)
            yield _durations(session)


def _by_state(session: Any, name: str, doc: str, column: Any, states: list[str]) -> Any:
    from prometheus_client.core import GaugeMetricFamily

    counts = dict(session.execute(select(column, func.count()).group_by(column)).all())
    family = GaugeMetricFamily(name, doc, labels=["state"])
    for state in states:
        family.add_metric([state], counts.get(state, 0))
    return family


def _scheduler(session: Any) -> Iterator[Any]:
    from prometheus_client.core import GaugeMetricFamily

    loop = GaugeMetricFamily(
        "tradewind_scheduler_loop_duration_seconds",
        "Duration of the latest scheduler loop, per running scheduler.",
        labels=["hostname", "pid"],
    )
    heartbeat = GaugeMetricFamily(
        "tradewind_scheduler_heartbeat_age_seconds",
        "Seconds since the scheduler's last heartbeat.",
        labels=["hostname", "pid"],
    )
    now = utcnow()
    rows = session.execute(
        select(SchedulerJob)
        .where(SchedulerJob.state == "running")
        .order_by(SchedulerJob.last_heartbeat.desc())
        .limit(20)
    ).scalars()
    for job in rows:
        labels = [job.hostname, str(job.pid)]
        if job.loop_duration is not None:
            loop.add_metric(labels, job.loop_duration)
        heartbeat.add_metric(labels, (now - job.last_heartbeat).total_seconds())
    yield loop
    yield heartbeat


def _durations(session: Any) -> Any:
    """A histogram of the durations of tries that ended in the last hour, by end state."""
    from prometheus_client.core import HistogramMetricFamily

    since = utcnow() - DURATION_WINDOW
    columns = [
        func.sum(case((TaskTry.duration <= bound, 1), else_=0)) for bound in DURATION_BUCKETS
    ]
    rows = session.execute(
        select(TaskTry.state, func.count(), func.sum(TaskTry.duration), *columns)
        .where(TaskTry.end_date >= since, TaskTry.duration.is_not(None))
        .group_by(TaskTry.state)
    ).all()
    family = HistogramMetricFamily(
        "tradewind_task_duration_seconds",
        f"Durations of task tries that ended in the last {DURATION_WINDOW}.",
        labels=["state"],
    )
    for state, count, total, *cumulative in rows:
        buckets = [
            (_le(b), float(c or 0)) for b, c in zip(DURATION_BUCKETS, cumulative, strict=True)
        ]
        buckets.append(("+Inf", float(count)))
        family.add_metric([state], buckets, float(total or 0))
    return family


def _le(bound: float) -> str:
    return f"{float(bound):g}" if bound != int(bound) else f"{float(bound)}"


def registry_for(app_state: Any) -> Any:
    """The app's own CollectorRegistry (built on first scrape)."""
    from prometheus_client import CollectorRegistry

    with _lock:
        registry = getattr(app_state, "metrics_registry", None)
        if registry is None:
            registry = CollectorRegistry(auto_describe=False)
            registry.register(MetastoreCollector(app_state))
            app_state.metrics_registry = registry
        return registry


async def metrics(request: Request) -> Response:
    """Prometheus' text exposition format; open like Airflow's statsd exporter (counts only)."""
    from prometheus_client import CONTENT_TYPE_LATEST, generate_latest

    registry = registry_for(request.app.state)
    body = await run_in_threadpool(generate_latest, registry)
    return Response(body, media_type=CONTENT_TYPE_LATEST)
