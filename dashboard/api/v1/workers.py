"""Workers of the fleet, and the Flower-like actions: drain, resume, change queues (Op role).

The dashboard never talks to a worker: it writes ``drain_requested`` / ``wanted_queues`` on the
worker's row and the worker applies them on its next heartbeat (``worker/registry.py``).
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from dashboard.api.v1.endpoint import Call, Endpoint
from dashboard.api.v1.pagination import PAGE_PARAMS, page
from dashboard.api.v1.schemas import collection, obj
from dashboard.auth.permissions import EDIT_ADMIN
from dashboard.errors import ApiError
from dashboard.fleet_stats import worker_rows
from tradewind.metastore.models import Worker


def _find(call: Call) -> Worker:
    name = call.path["name"]
    worker = call.session.scalar(select(Worker).where(Worker.name == name))
    if worker is None:
        raise ApiError(404, f"no worker named {name!r}")
    return worker


def _one(call: Call, worker: Worker) -> dict[str, Any]:
    call.session.flush()
    return worker_rows(call.session, [worker])[0]


def get_workers(call: Call) -> dict[str, Any]:
    rows, total = page(
        call.session, select(Worker).order_by(Worker.name), [], call, count_from=Worker
    )
    return {
        "workers": worker_rows(call.session, [r[0] for r in rows]),
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
