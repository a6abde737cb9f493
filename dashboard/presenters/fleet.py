"""The fleet monitor's data: workers, queues and throughput, from the metastore.

Plain dicts (JSON-ready), so the page and a JSON endpoint share one shape:
workers: name, hostname, queues[], concurrency, tries_running, load_1m, last_heartbeat (ISO),
heartbeat_age (s), online, status, drain_requested, wanted_queues[]|None, running[] (dag_id,
run_id, task_id, map_index, try_number); queues: queue, depth, in_flight, consumers,
enqueued_per_min, completed_per_min; stats: buckets[] of {minute (ISO), success, failed}.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from tradewind.metastore.models import TaskInstance, TaskTry, Worker, utcnow

#: a worker whose heartbeat is older than this is shown offline
OFFLINE_AFTER = timedelta(seconds=30)
RATE_WINDOW = timedelta(minutes=5)


def _split(value: str | None) -> list[str]:
    return [q for q in (value or "").split(",") if q]


def worker_rows(session: Session, *, now: datetime | None = None) -> list[dict[str, Any]]:
    now = now or utcnow()
    workers = session.execute(select(Worker).order_by(Worker.name).limit(500)).scalars().all()
    running: dict[str, list[dict[str, Any]]] = defaultdict(list)
    names = [w.name for w in workers]
    if names:
        for ti in session.execute(
            select(
                TaskInstance.worker_name,
                TaskInstance.dag_id,
                TaskInstance.run_id,
                TaskInstance.task_id,
                TaskInstance.map_index,
                TaskInstance.try_number,
            )
            .where(TaskInstance.state == "running", TaskInstance.worker_name.in_(names))
            .limit(2000)
        ):
            running[ti.worker_name].append(
                {
                    "dag_id": ti.dag_id,
                    "run_id": ti.run_id,
                    "task_id": ti.task_id,
                    "map_index": ti.map_index,
                    "try_number": ti.try_number,
                }
            )
    rows = []
    for w in workers:
        age = (now - w.last_heartbeat).total_seconds()
        online = w.status != "offline" and age <= OFFLINE_AFTER.total_seconds()
        rows.append(
            {
                "name": w.name,
                "hostname": w.hostname,
                "queues": _split(w.queues),
                "wanted_queues": _split(w.wanted_queues) if w.wanted_queues is not None else None,
                "concurrency": w.concurrency,
                "tries_running": w.tries_running,
                "load_1m": w.load_1m,
                "last_heartbeat": w.last_heartbeat.isoformat(),
                "heartbeat_age": round(age, 1),
                "online": online,
                "status": w.status if online else "offline",
                "drain_requested": w.drain_requested,
                "running": running.get(w.name, []),
            }
        )
    return rows


def queue_rows(
    session: Session, workers: list[dict[str, Any]], *, now: datetime | None = None
) -> list[dict[str, Any]]:
    """Each queue a worker serves or a task waits on: depth (queued tries), in flight
    (running), consumers (online workers subscribed), enqueue/completion rates per minute."""
    now = now or utcnow()
    since = now - RATE_WINDOW
    minutes = RATE_WINDOW.total_seconds() / 60
    by_state: dict[tuple[str, str], int] = {
        (queue, state): count
        for queue, state, count in session.execute(
            select(TaskInstance.queue, TaskInstance.state, func.count())
            .where(TaskInstance.state.in_(("queued", "running")))
            .group_by(TaskInstance.queue, TaskInstance.state)
        )
    }
    enqueued = dict(
        session.execute(
            select(TaskInstance.queue, func.count())
            .where(TaskInstance.queued_at >= since)
            .group_by(TaskInstance.queue)
        ).all()
    )
    completed = dict(
        session.execute(
            select(TaskTry.queue, func.count())
            .where(TaskTry.end_date >= since)
            .group_by(TaskTry.queue)
        ).all()
    )
    consumers: dict[str, int] = defaultdict(int)
    names: set[str] = set()
    for worker in workers:
        names.update(worker["queues"])
        if worker["online"]:
            for queue in worker["queues"]:
                consumers[queue] += 1
    names.update(q for q, _ in by_state)
    return [
        {
            "queue": name,
            "depth": by_state.get((name, "queued"), 0),
            "in_flight": by_state.get((name, "running"), 0),
            "consumers": consumers.get(name, 0),
            "enqueued_per_min": round(enqueued.get(name, 0) / minutes, 2),
            "completed_per_min": round(completed.get(name, 0) / minutes, 2),
        }
        for name in sorted(n for n in names if n)
    ]


def throughput(
    session: Session, *, minutes: int = 30, now: datetime | None = None
) -> list[dict[str, Any]]:
    """Finished tries per minute over the last ``minutes``: success and failed counts."""
    now = (now or utcnow()).replace(second=0, microsecond=0)
    start = now - timedelta(minutes=minutes - 1)
    buckets: dict[datetime, dict[str, int]] = {
        start + timedelta(minutes=i): {"success": 0, "failed": 0} for i in range(minutes)
    }
    for end_date, state in session.execute(
        select(TaskTry.end_date, TaskTry.state)
        .where(TaskTry.end_date >= start)
        .where(TaskTry.state.in_(("success", "failed", "up_for_retry")))
        .limit(100_000)
    ):
        bucket = buckets.get(end_date.replace(second=0, microsecond=0))
        if bucket is not None:
            bucket["success" if state == "success" else "failed"] += 1
    return [{"minute": k.isoformat(), **v} for k, v in sorted(buckets.items())]


def fleet_snapshot(session: Session) -> dict[str, Any]:
    now = utcnow()
    workers = worker_rows(session, now=now)
    return {
        "workers": workers,
        "queues": queue_rows(session, workers, now=now),
        "stats": throughput(session, now=now),
        "generated_at": now.isoformat(),
    }
