"""Workers of the fleet, and the Flower-like actions: drain, resume, change queues (Op role).

The dashboard never talks to a worker: it writes ``drain_requested`` / ``wanted_queues`` on the
worker's row and the worker applies them on its next heartbeat (``worker/registry.py``).
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from sqlalchemy import select

from dashboard.api.v1.convert import iso
from dashboard.api.v1.endpoint import Call, Endpoint
from dashboard.api.v1.pagination import PAGE_PARAMS, page
from dashboard.api.v1.schemas import collection, obj
from dashboard.auth.permissions import EDIT_ADMIN
from dashboard.errors import ApiError
from dashboard.fleet_stats import is_online, split_queues
from tradewind.metastore.models import TaskInstance, Worker, utcnow

#: running tries listed per worker, at most
MAX_RUNNING_SHOWN = 200


def worker_json(worker: Worker, running: list[dict[str, Any]], now: Any) -> dict[str, Any]:
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
        "started_at": iso(worker.started_at),
        "last_heartbeat": iso(worker.last_heartbeat),
        "heartbeat_age": round((now - worker.last_heartbeat).total_seconds(), 1),
        "online": online,
        "status": worker.status if online else "offline",
        "drain_requested": worker.drain_requested,
        "running": running,
    }


def _running(call: Call, names: list[str]) -> dict[str, list[dict[str, Any]]]:
    running: dict[str, list[dict[str, Any]]] = defaultdict(list)
    if not names:
        return running
    rows = call.session.execute(
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


def _find(call: Call) -> Worker:
    name = call.path["name"]
    worker = call.session.scalar(select(Worker).where(Worker.name == name))
    if worker is None:
        raise ApiError(404, f"no worker named {name!r}")
    return worker


def _one(call: Call, worker: Worker) -> dict[str, Any]:
    call.session.flush()
    return worker_json(worker, _running(call, [worker.name])[worker.name], utcnow())


def get_workers(call: Call) -> dict[str, Any]:
    rows, total = page(
        call.session, select(Worker).order_by(Worker.name), [], call, count_from=Worker
    )
    workers = [r[0] for r in rows]
    running = _running(call, [w.name for w in workers])
    now = utcnow()
    return {
        "workers": [worker_json(w, running[w.name], now) for w in workers],
        "total_entries": total,
    }


def get_worker(call: Call) -> dict[str, Any]:
    return _one(call, _find(call))


def post_worker_drain(call: Call) -> dict[str, Any]:
    worker = _find(call)
    worker.drain_requested = True
    return _one(call, worker)


def post_worker_resume(call: Call) -> dict[str, Any]:
    worker = _find(call)
    worker.drain_requested = False
    return _one(call, worker)


def put_worker_queues(call: Call) -> dict[str, Any]:
    """Ask the worker to consume exactly these queues (applied on its next heartbeat)."""
    from broker_config.routing import parse_queue_list
    from tradewind.errors import BrokerError

    try:
        queues = parse_queue_list(call.body["queues"])
    except BrokerError as exc:
        raise ApiError(400, exc.message) from None
    if not queues:
        raise ApiError(400, "a worker must consume at least one queue")
    worker = _find(call)
    worker.wanted_queues = ",".join(queues)
    return _one(call, worker)


_WORKER = obj({"name": {"type": "string"}, "online": {"type": "boolean"}})
_QUEUES_BODY = obj(
    {
        "queues": {
            "type": "array",
            "items": {"type": "string", "minLength": 1, "maxLength": 200},
            "minItems": 1,
            "maxItems": 100,
        }
    },
    ["queues"],
)
ENDPOINTS: tuple[Endpoint, ...] = (
    Endpoint(
        "GET",
        "/workers",
        get_workers,
        "List workers with online/offline by heartbeat age",
        "Worker",
        query=PAGE_PARAMS,
        response=collection("workers", _WORKER),
    ),
    Endpoint("GET", "/workers/{name}", get_worker, "Get a worker", "Worker", response=_WORKER),
    Endpoint(
        "POST",
        "/workers/{name}/drain",
        post_worker_drain,
        "Ask a worker to stop taking work",
        "Worker",
        role=EDIT_ADMIN,
        response=_WORKER,
    ),
    Endpoint(
        "POST",
        "/workers/{name}/resume",
        post_worker_resume,
        "Ask a drained worker to take work again",
        "Worker",
        role=EDIT_ADMIN,
        response=_WORKER,
    ),
    Endpoint(
        "PUT",
        "/workers/{name}/queues",
        put_worker_queues,
        "Set the queues a running worker consumes",
        "Worker",
        role=EDIT_ADMIN,
        body=_QUEUES_BODY,
        response=_WORKER,
    ),
    Endpoint(
        "PATCH",
        "/workers/{name}/queues",
        put_worker_queues,
        "Set the queues a running worker consumes",
        "Worker",
        role=EDIT_ADMIN,
        body=_QUEUES_BODY,
        response=_WORKER,
        op_id="patchWorkerQueues",
    ),
)
