"""DAG runs: trigger, list (``~`` for every DAG), get, delete, set state — Airflow's ``dagRuns``."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from dashboard.api.v1.convert import iso, jsonable, parse_datetime
from dashboard.api.v1.endpoint import Call, Endpoint, Param
from dashboard.api.v1.pagination import PAGE_PARAMS, page
from dashboard.api.v1.schemas import DATE_TIME, ID, NULLABLE_STRING, collection, enum, obj
from dashboard.auth.permissions import EDIT_RUNS
from tradewind.core.states import DagRunState
from tradewind.errors import DagNotFound
from tradewind.metastore.models import DagModel, DagRun

WILDCARD = "~"
RUN_STATES = tuple(s.value for s in DagRunState)
_ORDER = {
    "id": DagRun.id.asc(),
    "-id": DagRun.id.desc(),
    "logical_date": DagRun.logical_date.asc(),
    "-logical_date": DagRun.logical_date.desc(),
    "execution_date": DagRun.logical_date.asc(),
    "-execution_date": DagRun.logical_date.desc(),
    "start_date": DagRun.start_date.asc(),
    "-start_date": DagRun.start_date.desc(),
    "end_date": DagRun.end_date.asc(),
    "-end_date": DagRun.end_date.desc(),
}
_DATE_FILTERS = ("logical_date", "start_date", "end_date")


def run_json(run: DagRun) -> dict[str, Any]:
    return {
        "dag_run_id": run.run_id,
        "dag_id": run.dag_id,
        "logical_date": iso(run.logical_date),
        "execution_date": iso(run.logical_date),
        "data_interval_start": iso(run.data_interval_start),
        "data_interval_end": iso(run.data_interval_end),
        "queued_at": iso(run.queued_at),
        "start_date": iso(run.start_date),
        "end_date": iso(run.end_date),
        "last_scheduling_decision": iso(run.last_scheduling_decision),
        "run_type": run.run_type,
        "state": run.state,
        "external_trigger": run.external_trigger,
        "triggered_by": run.triggered_by,
        "conf": jsonable(run.conf or {}),
        "dag_version_id": run.dag_version_id,
    }


def get_run_row(call: Call, dag_id: str, run_id: str) -> DagRun:
    from tradewind.metastore.runs import get_dagrun

    return get_dagrun(call.session, dag_id, run_id)


def require_dag(call: Call, dag_id: str) -> None:
    """DagNotFound (404) unless ``dag_id`` is ``~`` or a known DAG."""
    if dag_id != WILDCARD and call.session.get(DagModel, dag_id) is None:
        raise DagNotFound(f"DAG {dag_id!r} not found")


def get_dag_runs(call: Call) -> dict[str, Any]:
    q, dag_id = call.query, call.path["dag_id"]
    require_dag(call, dag_id)
    where: list[Any] = []
    if dag_id != WILDCARD:
        where.append(DagRun.dag_id == dag_id)
    if q["state"]:
        where.append(DagRun.state.in_(q["state"]))
    if q["run_type"]:
        where.append(DagRun.run_type.in_(q["run_type"]))
    for name in _DATE_FILTERS:
        column = getattr(DagRun, name)
        if q[f"{name}_gte"] is not None:
            where.append(column >= q[f"{name}_gte"])
        if q[f"{name}_lte"] is not None:
            where.append(column <= q[f"{name}_lte"])
    rows, total = page(
        call.session,
        select(DagRun).order_by(_ORDER[q["order_by"]], DagRun.id),
        where,
        call,
        count_from=DagRun,
    )
    return {"dag_runs": [run_json(r[0]) for r in rows], "total_entries": total}


def get_dag_run(call: Call) -> dict[str, Any]:
    return run_json(get_run_row(call, call.path["dag_id"], call.path["dag_run_id"]))


def post_dag_run(call: Call) -> dict[str, Any]:
    """Trigger a run: conf is checked against the DAG's params (400 names the param)."""
    from tradewind.metastore.runs import trigger_dag
    from tradewind.metastore.wakeup import notify_scheduler

    body = call.body
    when = body.get("logical_date") or body.get("execution_date")
    run = trigger_dag(
        call.session,
        call.path["dag_id"],
        logical_date=parse_datetime(when, "logical_date") if when else None,
        run_id=body.get("dag_run_id") or None,
        conf=body.get("conf") or None,
        triggered_by=f"rest_api:{call.user.username}" if call.user else "rest_api",
    )
    call.session.flush()
    notify_scheduler(call.session)
    return run_json(run)


def patch_dag_run(call: Call) -> dict[str, Any]:
    """Set a run's state as Airflow's "mark success / failed / queued" do."""
    from tradewind.metastore.runs import set_dagrun_state
    from tradewind.metastore.wakeup import notify_scheduler

    dag_id, run_id = call.path["dag_id"], call.path["dag_run_id"]
    get_run_row(call, dag_id, run_id)
    set_dagrun_state(call.session, dag_id, run_id, call.body["state"])
    notify_scheduler(call.session)
    call.session.expire_all()
    return run_json(get_run_row(call, dag_id, run_id))


def delete_dag_run(call: Call) -> None:
    from tradewind.metastore.runs import delete_dag_runs

    dag_id, run_id = call.path["dag_id"], call.path["dag_run_id"]
    get_run_row(call, dag_id, run_id)
    delete_dag_runs(call.session, dag_id, [run_id])


_RUN = obj({"dag_run_id": {"type": "string"}, "state": enum(RUN_STATES)})
_RUN_PATH = "/dags/{dag_id}/dagRuns/{dag_run_id}"
_DATE_PARAMS = tuple(
    Param(f"{name}_{op}", "date-time", f"Runs whose {name} is {word} this.")
    for name in _DATE_FILTERS
    for op, word in (("gte", "at or after"), ("lte", "at or before"))
)
ENDPOINTS: tuple[Endpoint, ...] = (
    Endpoint(
        "GET",
        "/dags/{dag_id}/dagRuns",
        get_dag_runs,
        "List DAG runs (dag_id ~ for every DAG)",
        "DAGRun",
        query=(
            *PAGE_PARAMS,
            Param("state", description="Only runs in these states.", many=True, enum=RUN_STATES),
            Param("run_type", description="Only runs of these types.", many=True),
            *_DATE_PARAMS,
            Param("order_by", description="Sort key.", default="id", enum=tuple(_ORDER)),
        ),
        response=collection("dag_runs", _RUN),
    ),
    Endpoint(
        "POST",
        "/dags/{dag_id}/dagRuns",
        post_dag_run,
        "Trigger a DAG run",
        "DAGRun",
        role=EDIT_RUNS,
        body=obj(
            {
                "dag_run_id": {**ID, "type": ["string", "null"]},
                "logical_date": DATE_TIME,
                "execution_date": DATE_TIME,
                "conf": {"type": ["object", "null"]},
                "note": NULLABLE_STRING,
            }
        ),
        response=_RUN,
    ),
    Endpoint("GET", _RUN_PATH, get_dag_run, "Get a DAG run", "DAGRun", response=_RUN),
    Endpoint(
        "PATCH",
        _RUN_PATH,
        patch_dag_run,
        "Set a DAG run's state (success, failed, queued)",
        "DAGRun",
        role=EDIT_RUNS,
        body=obj({"state": enum(("success", "failed", "queued"))}, ["state"]),
        response=_RUN,
    ),
    Endpoint(
        "DELETE",
        _RUN_PATH,
        delete_dag_run,
        "Delete a DAG run with its task instances",
        "DAGRun",
        role=EDIT_RUNS,
        status=204,
    ),
)
