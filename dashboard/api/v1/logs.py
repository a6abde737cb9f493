"""A try's log, read in chunks: from the local log folder, else from the worker's log server."""

from __future__ import annotations

from typing import Any

from dashboard.api.v1.endpoint import Call, Endpoint, Param
from dashboard.api.v1.schemas import obj
from dashboard.api.v1.task_instances import find_ti
from tradewind.core.keys import TryKey
from tradewind.errors import TaskNotFound


def get_log(call: Call) -> dict[str, Any]:
    """``content`` from byte ``offset`` (or Airflow's ``token``) on, and where to go on from."""
    from dashboard.presenters.task_logs import read_try_log

    q, number = call.query, call.path["task_try_number"]
    offset = q["offset"] if q["token"] is None else _token_offset(q["token"])
    ti = find_ti(call, q["map_index"])
    if number < 1 or number > ti.try_number:
        raise TaskNotFound(
            f"task instance {ti.task_id!r} has no try {number} (its latest is {ti.try_number})"
        )
    key = TryKey(ti.dag_id, ti.run_id, ti.task_id, ti.map_index, number)
    worker = ti.worker_name if number == ti.try_number else _try_worker(call, key)
    read = read_try_log(call.settings, call.session, key, worker_name=worker, offset=offset)
    running = number == ti.try_number and ti.state == "running"
    return {
        "content": read.text,
        "next_offset": read.next_offset,
        "continuation_token": str(read.next_offset),
        "source": read.source,
        "found": read.found,
        "try_number": number,
        "state": ti.state if number == ti.try_number else None,
        "end_of_log": not running and not read.text,
    }


def _token_offset(token: str) -> int:
    from dashboard.errors import ApiError

    if not token.isdigit() or len(token) > 12:
        raise ApiError(400, f"query parameter 'token' must be a continuation token, not {token!r}")
    return int(token)


def _try_worker(call: Call, key: TryKey) -> str | None:
    from sqlalchemy import select

    from tradewind.metastore.models import TaskTry

    return call.session.scalar(
        select(TaskTry.worker_name).where(
            TaskTry.dag_id == key.dag_id,
            TaskTry.run_id == key.run_id,
            TaskTry.task_id == key.task_id,
            TaskTry.map_index == key.map_index,
            TaskTry.try_number == key.try_number,
        )
    )


ENDPOINTS: tuple[Endpoint, ...] = (
    Endpoint(
        "GET",
        "/dags/{dag_id}/dagRuns/{dag_run_id}/taskInstances/{task_id}/logs/{task_try_number:int}",
        get_log,
        "Read a try's log from a byte offset on",
        "TaskInstance",
        query=(
            Param("map_index", "integer", "Map index (-1: not mapped).", default=-1, minimum=-1),
            Param("offset", "integer", "Byte offset to read from.", default=0, minimum=0),
            Param("token", description="Continuation token of the previous chunk."),
        ),
        response=obj(
            {
                "content": {"type": "string"},
                "next_offset": {"type": "integer"},
                "continuation_token": {"type": "string"},
            }
        ),
    ),
)
