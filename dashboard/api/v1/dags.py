"""DAGs: list (paginated, filtered), get, pause/unpause, delete — Airflow's ``/dags`` endpoints."""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from sqlalchemy import exists, select

from dashboard.api.v1.convert import iso
from dashboard.api.v1.endpoint import Call, Endpoint, Param
from dashboard.api.v1.pagination import PAGE_PARAMS, page
from dashboard.api.v1.schemas import BOOLEAN, collection, obj
from dashboard.auth.permissions import EDIT_ADMIN, EDIT_RUNS
from tradewind.errors import DagNotFound
from tradewind.metastore.models import DagModel, DagTag

_ORDER = {
    "dag_id": DagModel.dag_id.asc(),
    "-dag_id": DagModel.dag_id.desc(),
    "last_parsed_time": DagModel.last_parsed_at.asc(),
    "-last_parsed_time": DagModel.last_parsed_at.desc(),
}


def dag_json(dag: DagModel, tags: list[str]) -> dict[str, Any]:
    return {
        "dag_id": dag.dag_id,
        "dag_display_name": dag.dag_id,
        "description": dag.description,
        "fileloc": dag.fileloc,
        "owners": [o.strip() for o in (dag.owners or "").split(",") if o.strip()],
        "is_paused": dag.is_paused,
        "is_active": dag.is_active,
        "has_import_errors": dag.has_import_errors,
        "tags": [{"name": name} for name in tags],
        "schedule_interval": dag.schedule_description,
        "timetable_description": dag.schedule_description,
        "timezone": dag.timezone,
        "max_active_runs": dag.max_active_runs,
        "max_active_tasks": dag.max_active_tasks,
        "last_parsed_time": iso(dag.last_parsed_at),
        "next_dagrun": iso(dag.next_dagrun),
        "next_dagrun_data_interval_start": iso(dag.next_dagrun_data_interval_start),
        "next_dagrun_data_interval_end": iso(dag.next_dagrun_data_interval_end),
        "next_dagrun_create_after": iso(dag.next_dagrun_create_after),
    }


def get_dag_row(call: Call, dag_id: str) -> DagModel:
    dag = call.session.get(DagModel, dag_id)
    if dag is None:
        raise DagNotFound(f"DAG {dag_id!r} not found")
    return dag


def _tags_of(call: Call, dag_ids: list[str]) -> dict[str, list[str]]:
    tags: dict[str, list[str]] = defaultdict(list)
    if dag_ids:
        rows = call.session.execute(
            select(DagTag.dag_id, DagTag.name)
            .where(DagTag.dag_id.in_(dag_ids))
            .order_by(DagTag.dag_id, DagTag.name)
        )
        for dag_id, name in rows:
            tags[dag_id].append(name)
    return tags


def get_dags(call: Call) -> dict[str, Any]:
    q = call.query
    where: list[Any] = []
    if q["only_active"]:
        where.append(DagModel.is_active.is_(True))
    if q["paused"] is not None:
        where.append(DagModel.is_paused.is_(q["paused"]))
    if q["dag_id_pattern"]:
        pattern = q["dag_id_pattern"].replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        where.append(DagModel.dag_id.ilike(f"%{pattern}%", escape="\\"))
    if q["tags"]:
        where.append(exists().where(DagTag.dag_id == DagModel.dag_id, DagTag.name.in_(q["tags"])))
    rows, total = page(
        call.session,
        select(DagModel).order_by(_ORDER[q["order_by"]], DagModel.dag_id),
        where,
        call,
        count_from=DagModel,
    )
    dags = [row[0] for row in rows]
    tags = _tags_of(call, [d.dag_id for d in dags])
    return {"dags": [dag_json(d, tags[d.dag_id]) for d in dags], "total_entries": total}


def get_dag(call: Call) -> dict[str, Any]:
    dag = get_dag_row(call, call.path["dag_id"])
    return dag_json(dag, _tags_of(call, [dag.dag_id])[dag.dag_id])


def patch_dag(call: Call) -> dict[str, Any]:
    dag = get_dag_row(call, call.path["dag_id"])
    dag.is_paused = call.body["is_paused"]
    call.session.flush()
    if not dag.is_paused:
        from tradewind.metastore.wakeup import notify_scheduler

        notify_scheduler(call.session)
    return dag_json(dag, _tags_of(call, [dag.dag_id])[dag.dag_id])


def delete_dag(call: Call) -> None:
    from tradewind.metastore.runs import delete_dag as delete

    delete(call.session, call.path["dag_id"])


def get_dag_details(call: Call) -> dict[str, Any]:
    """The DAG with its parsed structure's details (params, default args, schedule)."""
    from tradewind.metastore.dag_specs import latest_spec

    dag = get_dag_row(call, call.path["dag_id"])
    details = dag_json(dag, _tags_of(call, [dag.dag_id])[dag.dag_id])
    try:
        spec = latest_spec(call.session, dag.dag_id)
    except DagNotFound:
        return details
    from dashboard.api.v1.convert import jsonable
    from tradewind.runtime.secrets_masker import redact_value

    details.update(
        catchup=spec.catchup,
        start_date=spec.start_date,
        end_date=spec.end_date,
        dagrun_timeout=spec.dagrun_timeout,
        doc_md=spec.doc_md,
        params=jsonable(redact_value(spec.params)),
        default_args=jsonable(redact_value(spec.default_args)),
        task_ids=list(spec.task_ids),
    )
    return details


_DAG = obj({"dag_id": {"type": "string"}, "is_paused": BOOLEAN})
ENDPOINTS: tuple[Endpoint, ...] = (
    Endpoint(
        "GET",
        "/dags",
        get_dags,
        "List DAGs",
        "DAG",
        query=(
            *PAGE_PARAMS,
            Param("tags", description="Only DAGs with any of these tags.", many=True),
            Param("dag_id_pattern", description="Only DAGs whose id contains this."),
            Param("paused", "boolean", "Only paused (true) or unpaused (false) DAGs."),
            Param("only_active", "boolean", "Only DAGs their files still define.", default=True),
            Param("order_by", description="Sort key.", default="dag_id", enum=tuple(_ORDER)),
        ),
        response=collection("dags", _DAG),
    ),
    Endpoint("GET", "/dags/{dag_id}", get_dag, "Get a DAG", "DAG", response=_DAG),
    Endpoint("GET", "/dags/{dag_id}/details", get_dag_details, "Get a DAG's details", "DAG"),
    Endpoint(
        "PATCH",
        "/dags/{dag_id}",
        patch_dag,
        "Pause or unpause a DAG",
        "DAG",
        role=EDIT_RUNS,
        body=obj({"is_paused": BOOLEAN}, ["is_paused"]),
        response=_DAG,
    ),
    Endpoint(
        "DELETE",
        "/dags/{dag_id}",
        delete_dag,
        "Delete a DAG and all its records",
        "DAG",
        role=EDIT_ADMIN,
        status=204,
    ),
)
