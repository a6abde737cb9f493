"""The fleet monitor's numbers: enqueue and completion rates, throughput and failure rate per
minute, and per-queue depth / in-flight / consumers.

Rates are time-bucketed ``GROUP BY`` queries over ``task_instance.queued_at`` and
``task_try.end_date`` (both indexed), so they cost the same with a million task instances.
Queue numbers come from the broker (:mod:`broker_config.stats`) when there is a real one; with
the in-process ``memory://`` broker (standalone) the metastore is the truth: depth is the
queued task instances of a queue, in flight its running ones.
"""

from __future__ import annotations

import threading
import time
import urllib.parse
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from tradewind.config import Settings
from tradewind.metastore.models import TaskInstance, TaskTry, Worker, utcnow

#: a worker whose heartbeat is older than this counts as offline
OFFLINE_AFTER = timedelta(seconds=30)
#: the window of the per-queue rates
RATE_WINDOW = timedelta(minutes=5)
#: try end states that count as failures (a try that will be retried failed too)
FAILED_TRY_STATES = ("failed", "up_for_retry")
#: seconds a broker's answer is reused, so a busy dashboard does not hammer the broker
BROKER_CACHE_SECONDS = 2.0


# -- time buckets --------------------------------------------------------------------------


def _minute_bucket(session: Session, column: Any) -> Any:
    dialect = session.get_bind().dialect.name
    if dialect == "postgresql":
        return func.date_trunc("minute", column)
    if dialect in ("mysql", "mariadb"):
        return func.date_format(column, "%Y-%m-%d %H:%i:00")
    return func.strftime("%Y-%m-%d %H:%M:00", column)


def _as_minute(value: Any) -> datetime:
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return value.astimezone(UTC).replace(second=0, microsecond=0)


def throughput(
    session: Session, *, minutes: int = 30, now: datetime | None = None
) -> list[dict[str, Any]]:
    """Per minute, oldest first: tries enqueued, succeeded, failed, and the failure rate (%)."""
    end = (now or utcnow()).astimezone(UTC).replace(second=0, microsecond=0)
    start = end - timedelta(minutes=minutes - 1)
    buckets = {
        start + timedelta(minutes=i): {"enqueued": 0, "success": 0, "failed": 0}
        for i in range(minutes)
    }
    bucket = _minute_bucket(session, TaskTry.end_date)
    finished = session.execute(
        select(bucket, TaskTry.state, func.count())
        .where(TaskTry.end_date >= start, TaskTry.state.in_(("success", *FAILED_TRY_STATES)))
        .group_by(bucket, TaskTry.state)
    )
    for when, state, count in finished:
        row = buckets.get(_as_minute(when))
        if row is not None:
            row["success" if state == "success" else "failed"] += int(count)
    bucket = _minute_bucket(session, TaskInstance.queued_at)
    enqueued = session.execute(
        select(bucket, func.count()).where(TaskInstance.queued_at >= start).group_by(bucket)
    )
    for when, count in enqueued:
        row = buckets.get(_as_minute(when))
        if row is not None:
            row["enqueued"] += int(count)
    out = []
    for minute, row in sorted(buckets.items()):
        done = row["success"] + row["failed"]
        out.append(
            {
                "minute": minute.isoformat(),
                **row,
                "completed": done,
                "failure_rate": round(100.0 * row["failed"] / done, 2) if done else 0.0,
            }
        )
    return out


def queue_rates(session: Session, *, now: datetime | None = None) -> dict[str, tuple[float, float]]:
    """queue -> (enqueued per minute, completed per minute) over :data:`RATE_WINDOW`."""
    since = (now or utcnow()) - RATE_WINDOW
    minutes = RATE_WINDOW.total_seconds() / 60
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
            .where(TaskTry.end_date >= since, TaskTry.queue.is_not(None))
            .group_by(TaskTry.queue)
        ).all()
    )
    return {
        queue: (
            round(enqueued.get(queue, 0) / minutes, 2),
            round(completed.get(queue, 0) / minutes, 2),
        )
        for queue in set(enqueued) | set(completed)
    }


# -- workers -------------------------------------------------------------------------------


def split_queues(value: str | None) -> list[str]:
    return [q.strip() for q in (value or "").split(",") if q.strip()]


def is_online(worker: Worker, now: datetime) -> bool:
    age = now - worker.last_heartbeat
    return worker.status != "offline" and age <= OFFLINE_AFTER


#: running tries listed per worker, at most
MAX_RUNNING_SHOWN = 200


def worker_json(worker: Worker, running: list[dict[str, Any]], now: datetime) -> dict[str, Any]:
    """One worker as the API and the fleet page show it."""
    online = is_online(worker, now)
    wanted = worker.wanted_queues
    return {
        "name": worker.name,
        "hostname": worker.hostname,
        "pid": worker.pid,
        "queues": split_queues(worker.queues),
        "wanted_queues": split_queues(wanted) if wanted is not None else None,
        "concurrency": worker.concurrency,
        "version": worker.version,
        "tries_running": worker.tries_running,
        "load_1m": worker.load_1m,
        "started_at": _iso(worker.started_at),
        "last_heartbeat": _iso(worker.last_heartbeat),
        "heartbeat_age": round((now - worker.last_heartbeat).total_seconds(), 1),
        "online": online,
        "status": worker.status if online else "offline",
        "drain_requested": worker.drain_requested,
        "running": running,
    }


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value is not None else None


def running_tries(session: Session, names: list[str]) -> dict[str, list[dict[str, Any]]]:
    """worker name -> the tries it runs (at most :data:`MAX_RUNNING_SHOWN` each)."""
    running: dict[str, list[dict[str, Any]]] = defaultdict(list)
    if not names:
        return running
    rows = session.execute(
        select(
            TaskInstance.worker_name,
            TaskInstance.dag_id,
            TaskInstance.run_id,
            TaskInstance.task_id,
            TaskInstance.map_index,
            TaskInstance.try_number,
        )
        .where(TaskInstance.state == "running", TaskInstance.worker_name.in_(names))
        .limit(MAX_RUNNING_SHOWN * len(names))
    )
    for row in rows:
        if len(running[row.worker_name]) < MAX_RUNNING_SHOWN:
            running[row.worker_name].append(
                {
                    "dag_id": row.dag_id,
                    "run_id": row.run_id,
                    "task_id": row.task_id,
                    "map_index": row.map_index,
                    "try_number": row.try_number,
                }
            )
    return running


def worker_rows(
    session: Session, workers: list[Worker], *, now: datetime | None = None
) -> list[dict[str, Any]]:
    """These workers as JSON, each with its running tries."""
    now = now or utcnow()
    running = running_tries(session, [w.name for w in workers])
    return [worker_json(w, running.get(w.name, []), now) for w in workers]


def worker_counts(session: Session, *, now: datetime | None = None) -> dict[str, int]:
    """``{"online": n, "offline": m}``."""
    now = now or utcnow()
    counts = {"online": 0, "offline": 0}
    for status, heartbeat in session.execute(select(Worker.status, Worker.last_heartbeat)):
        online = status != "offline" and now - heartbeat <= OFFLINE_AFTER
        counts["online" if online else "offline"] += 1
    return counts


# -- queues --------------------------------------------------------------------------------


def queue_stats(
    settings: Settings, session: Session, broker: BrokerStats | None
) -> list[dict[str, Any]]:
    """Every queue a worker serves or a task waits on, with depth, in flight, consumers
    (online workers subscribed, unless the broker knows better) and rates per minute."""
    now = utcnow()
    by_state: dict[tuple[str, str], int] = {
        (queue, state): int(count)
        for queue, state, count in session.execute(
            select(TaskInstance.queue, TaskInstance.state, func.count())
            .where(TaskInstance.state.in_(("queued", "running")))
            .group_by(TaskInstance.queue, TaskInstance.state)
        )
    }
    consumers: dict[str, int] = defaultdict(int)
    names: set[str] = {queue for queue, _ in by_state}
    for worker in session.execute(select(Worker)).scalars():
        queues = split_queues(worker.queues)
        names.update(queues)
        if is_online(worker, now):
            for queue in queues:
                consumers[queue] += 1
    rates = queue_rates(session, now=now)
    names.update(rates)
    names.add(settings.broker.default_queue)
    ordered = sorted(names)
    from_broker = broker.stats(settings, ordered) if broker is not None else None
    rows = []
    for name in ordered:
        enqueued, completed = rates.get(name, (0.0, 0.0))
        row = {
            "queue": name,
            "depth": by_state.get((name, "queued"), 0),
            "in_flight": by_state.get((name, "running"), 0),
            "consumers": consumers.get(name, 0),
            "dead_letters": 0,
            "enqueued_per_min": enqueued,
            "completed_per_min": completed,
            "source": "metastore",
        }
        stat = (from_broker or {}).get(name)
        if stat is not None:
            row.update(depth=stat.depth, consumers=stat.consumers, dead_letters=stat.dead_letters)
            if stat.in_flight is not None:
                row["in_flight"] = stat.in_flight
            row["source"] = "broker"
        rows.append(row)
    return rows


#: workers shown on the fleet page, at most (the API pages through all of them)
MAX_WORKERS_SHOWN = 500


def fleet_snapshot(
    settings: Settings, session: Session, broker: BrokerStats | None, *, minutes: int = 30
) -> dict[str, Any]:
    """What the fleet page shows: workers, queues and per-minute throughput, in the API's shapes
    (``/api/v1/workers``, ``/api/v1/queues``, ``/api/v1/fleet/stats`` buckets)."""
    now = utcnow()
    workers = session.execute(select(Worker).order_by(Worker.name).limit(MAX_WORKERS_SHOWN))
    return {
        "workers": worker_rows(session, list(workers.scalars()), now=now),
        "queues": queue_stats(settings, session, broker),
        "stats": throughput(session, minutes=minutes, now=now),
        "generated_at": now.isoformat(),
    }


@dataclass
class BrokerStats:
    """The broker's queue statistics, one connection per app, serialized by a lock and cached
    for :data:`BROKER_CACHE_SECONDS`. A broker that cannot answer leaves the metastore's numbers
    (``last_error`` says why)."""

    url: str
    _lock: threading.Lock = field(default_factory=threading.Lock)
    _backend: Any = None
    _cache: tuple[float, tuple[str, ...], dict[str, Any]] | None = None
    last_error: str | None = None

    def stats(self, settings: Settings, queues: list[str]) -> dict[str, Any] | None:
        from broker_config.routing import Router

        router = Router.from_settings(settings)
        with self._lock:
            key = tuple(queues)
            if (
                self._cache
                and self._cache[1] == key
                and time.monotonic() - self._cache[0] < (BROKER_CACHE_SECONDS)
            ):
                return self._cache[2]
            try:
                names = {router.broker_queue(q): q for q in queues}
                backend = self._connect()
                result = {names[s.queue]: s for s in backend.stats(list(names))}
            except Exception as exc:  # broker down: the metastore's numbers stand
                self.last_error = f"{type(exc).__name__}: {exc}"
                self.close_backend()
                return None
            self.last_error = None
            self._cache = (time.monotonic(), key, result)
            return result

    def _connect(self) -> Any:
        if self._backend is None:
            from broker_config.factory import build_broker
            from broker_config.stats.base import queue_stats_for

            broker = build_broker(self.url, check=False)
            self._backend = queue_stats_for(broker, management_url=management_url(self.url))
        return self._backend

    def close_backend(self) -> None:
        if self._backend is not None:
            try:
                self._backend.close()
            except Exception:
                pass
            self._backend = None


def management_url(broker_url: str) -> str | None:
    """RabbitMQ's management API beside an ``amqp://`` URL (port 15672, same login)."""
    parts = urllib.parse.urlsplit(broker_url)
    if parts.scheme not in ("amqp", "amqps"):
        return None
    login = ""
    if parts.username:
        login = parts.username + (f":{parts.password}" if parts.password else "") + "@"
    return f"http://{login}{parts.hostname or '127.0.0.1'}:15672"


def broker_stats_for(app_state: Any, settings: Settings) -> BrokerStats | None:
    """The app's :class:`BrokerStats`, or None with the in-process broker."""
    url = settings.broker.url or "memory://"
    if url.startswith("memory"):
        return None
    existing = getattr(app_state, "broker_stats", None)
    if existing is None:
        existing = BrokerStats(url)
        app_state.broker_stats = existing
    return existing
