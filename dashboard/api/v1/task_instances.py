"""Task instances: list (``~`` wildcards), get, set state, clear — Airflow's ``taskInstances``."""

from __future__ import annotations

from typing import Any

from dashboard.api.v1.convert import iso, jsonable
from dashboard.api.v1.endpoint import Call, Endpoint, Param
from dashboard.api.v1.pagination import PAGE_PARAMS, page_by_keys
from dashboard.api.v1.runs import WILDCARD, get_run_row, require_dag
from dashboard.api.v1.schemas import BOOLEAN, DATE_TIME, ID, collection, enum, obj
from dashboard.auth.permissions import EDIT_RUNS
from tradewind.core.keys import TaskInstanceKey
from tradewind.core.states import TaskState
from tradewind.errors import TaskNotFound
from tradewind.metastore.models import TaskInstance

TI = TaskInstance
TASK_STATES = tuple(s.value for s in TaskState)
_ORDER_KEY = (TI.dag_id, TI.run_id, TI.task_id, TI.map_index)


def ti_json(ti: TaskInstance, *, full: bool = False) -> dict[str, Any]:
    data = {
        "dag_id": ti.dag_id,
        "dag_run_id": ti.run_id,
        "task_id": ti.task_id,
        "map_index": ti.map_index,
        "state": ti.state,
        "try_number": ti.try_number,
        "max_tries": ti.max_tries,
        "operator": ti.operator,
        "queue": ti.queue,
        "pool": ti.pool,
        "pool_slots": ti.pool_slots,
        "priority_weight": ti.priority_weight,
        "hostname": ti.hostname,
        "worker_name": ti.worker_name,
        "pid": ti.pid,
        "start_date": iso(ti.start_date),
        "end_date": iso(ti.end_date),
        "duration": ti.duration,
        "scheduled_when": iso(ti.scheduled_at),
        "queued_when": iso(ti.queued_at),
        "next_try_at": iso(ti.next_try_at),
        "note": ti.note,
    }
    if full:
        from tradewind.runtime.secrets_masker import redact_value

        data["rendered_fields"] = jsonable(redact_value(ti.rendered_fields or {}))
    return data


def reference(key: TaskInstanceKey) -> dict[str, Any]:
    """Airflow's TaskInstanceReference."""
    return {
        "dag_id": key.dag_id,
        "dag_run_id": key.run_id,
        "task_id": key.task_id,
        "map_index": key.map_index,
    }


def get_task_instances(call: Call) -> dict[str, Any]:
    q, dag_id, run_id = call.query, call.path["dag_id"], call.path["dag_run_id"]
    require_dag(call, dag_id)
    where: list[Any] = []
    if dag_id != WILDCARD:
        where.append(TI.dag_id == dag_id)
    if run_id != WILDCARD:
        if dag_id != WILDCARD:
            get_run_row(call, dag_id, run_id)
        where.append(TI.run_id == run_id)
    for name in ("state", "pool", "queue", "task_id"):
        if q[name]:
            where.append(getattr(TI, name).in_(q[name]))
    rows, total = page_by_keys(call.session, TI, _ORDER_KEY, where, call)
    return {"task_instances": [ti_json(r) for r in rows], "total_entries": total}


def find_ti(call: Call, map_index: int = -1) -> TaskInstance:
    p = call.path
    ti = call.session.get(TI, (p["dag_id"], p["dag_run_id"], p["task_id"], map_index))
    if ti is None:
        get_run_row(call, p["dag_id"], p["dag_run_id"])
        where = f" at map index {map_index}" if map_index >= 0 else ""
        raise TaskNotFound(
            f"task instance {p['task_id']!r}{where} not found in run {p['dag_run_id']!r} "
            f"of DAG {p['dag_id']!r}"
        )
    return ti


def get_task_instance(call: Call) -> dict[str, Any]:
    return ti_json(find_ti(call), full=True)


def get_mapped_task_instance(call: Call) -> dict[str, Any]:
    return ti_json(find_ti(call, call.path["map_index"]), full=True)


def patch_task_instance(call: Call) -> dict[str, Any]:
    """Mark a task instance success, failed or skipped (Airflow's set-state), with relatives."""
    from tradewind.metastore.runs import mark_task_instances
    from tradewind.metastore.wakeup import notify_scheduler

    body = call.body
    map_index = body.get("map_index", -1)
    ti = find_ti(call, map_index)
    if "note" in body:
        ti.note = body["note"]
    if "new_state" not in body:
        return {"task_instances": [], "note": ti.note}
    altered = mark_task_instances(
        call.session,
        [TaskInstanceKey(ti.dag_id, ti.run_id, ti.task_id, map_index)],
        body["new_state"],
        upstream=body.get("include_upstream", False),
        downstream=body.get("include_downstream", False),
        past=body.get("include_past", False),
        future=body.get("include_future", False),
        dry_run=body.get("dry_run", False),
    )
    if not body.get("dry_run", False):
        notify_scheduler(call.session)
    return {"task_instances": [reference(k) for k in altered]}


def post_clear_task_instances(call: Call) -> dict[str, Any]:
    """Clear task instances (Airflow's defaults: ``dry_run`` and ``only_failed`` true)."""
    from tradewind.metastore.runs import clear_task_instances
    from tradewind.metastore.wakeup import notify_scheduler

    body, dag_id = call.body, call.path["dag_id"]
    require_dag(call, dag_id)
    run_ids = None
    if body.get("dag_run_id"):
        run_ids = [get_run_row(call, dag_id, body["dag_run_id"]).run_id]
    dates = {}
    for name in ("start_date", "end_date"):
        if body.get(name):
            from dashboard.api.v1.convert import parse_datetime

            dates[name] = parse_datetime(body[name], name)
    dry_run = body.get("dry_run", True)
    keys = clear_task_instances(
        call.session,
        dag_id,
        run_ids=run_ids,
        task_ids=body.get("task_ids") or None,
        only_failed=body.get("only_failed", True),
        only_running=body.get("only_running", False),
        upstream=body.get("include_upstream", False),
        downstream=body.get("include_downstream", False),
        dry_run=dry_run,
        **dates,
    )
    if not dry_run and keys:
        notify_scheduler(call.session)
    return {"task_instances": [reference(k) for k in keys]}


_TI = obj({"task_id": {"type": "string"}, "state": enum(TASK_STATES)})
_REFS = obj({"task_instances": {"type": "array", "items": {"type": "object"}}})
_TI_PATH = "/dags/{dag_id}/dagRuns/{dag_run_id}/taskInstances/{task_id}"
_MAP_INDEX = {"type": "integer", "minimum": -1, "maximum": 2**31 - 1}
ENDPOINTS: tuple[Endpoint, ...] = (
    Endpoint(
        "GET",
        "/dags/{dag_id}/dagRuns/{dag_run_id}/taskInstances",
        get_task_instances,
        "List task instances (dag_id and dag_run_id may be ~)",
        "TaskInstance",
        query=(
            *PAGE_PARAMS,
            Param("state", description="Only these states.", many=True, enum=TASK_STATES),
            Param("pool", description="Only these pools.", many=True),
            Param("queue", description="Only these queues.", many=True),
            Param("task_id", description="Only these task ids.", many=True),
        ),
        response=collection("task_instances", _TI),
    ),
    Endpoint("GET", _TI_PATH, get_task_instance, "Get a task instance", "TaskInstance"),
    Endpoint(
        "GET",
        _TI_PATH + "/{map_index:int}",
        get_mapped_task_instance,
        "Get a mapped task instance",
        "TaskInstance",
        response=_TI,
    ),
    Endpoint(
        "PATCH",
        _TI_PATH,
        patch_task_instance,
        "Set a task instance's state (success, failed, skipped) or note",
        "TaskInstance",
        role=EDIT_RUNS,
        body=obj(
            {
                "new_state": enum(("success", "failed", "skipped")),
                "map_index": _MAP_INDEX,
                "dry_run": BOOLEAN,
                "include_upstream": BOOLEAN,
                "include_downstream": BOOLEAN,
                "include_future": BOOLEAN,
                "include_past": BOOLEAN,
                "note": {"type": ["string", "null"], "maxLength": 1000},
            }
        ),
        response=_REFS,
    ),
    Endpoint(
        "POST",
        "/dags/{dag_id}/clearTaskInstances",
        post_clear_task_instances,
        "Clear task instances (dry_run and only_failed default to true, as in Airflow)",
        "TaskInstance",
        role=EDIT_RUNS,
        body=obj(
            {
                "dry_run": BOOLEAN,
                "task_ids": {"type": "array", "items": ID},
                "dag_run_id": ID,
                "start_date": DATE_TIME,
                "end_date": DATE_TIME,
                "only_failed": BOOLEAN,
                "only_running": BOOLEAN,
                "include_upstream": BOOLEAN,
                "include_downstream": BOOLEAN,
            }
        ),
        response=_REFS,
    ),
)
