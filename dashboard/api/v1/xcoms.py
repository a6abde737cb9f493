"""XCom entries of a task instance (``~`` wildcards for DAG, run and task, as in Airflow)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from dashboard.api.v1.convert import iso, jsonable
from dashboard.api.v1.endpoint import Call, Endpoint, Param
from dashboard.api.v1.pagination import PAGE_PARAMS, page
from dashboard.api.v1.runs import WILDCARD, require_dag
from dashboard.api.v1.schemas import collection, obj
from dashboard.errors import ApiError
from tradewind.metastore.models import XCom

_BASE = "/dags/{dag_id}/dagRuns/{dag_run_id}/taskInstances/{task_id}/xcomEntries"


def xcom_json(row: XCom, *, with_value: bool) -> dict[str, Any]:
    data: dict[str, Any] = {
        "dag_id": row.dag_id,
        "dag_run_id": row.run_id,
        "task_id": row.task_id,
        "map_index": row.map_index,
        "key": row.key,
        "timestamp": iso(row.timestamp),
    }
    if with_value:
        from tradewind.metastore.xcoms import deserialize_value
        from tradewind.runtime.secrets_masker import redact_value

        try:
            value = deserialize_value(row.value)
        except Exception:  # a value stored by a newer version: show its JSON text
            value = row.value
        data["value"] = jsonable(redact_value(value, row.key))
    return data


def _where(call: Call) -> list[Any]:
    p = call.path
    require_dag(call, p["dag_id"])
    where = []
    for column, name in ((XCom.dag_id, "dag_id"), (XCom.run_id, "dag_run_id")):
        if p[name] != WILDCARD:
            where.append(column == p[name])
    if p["task_id"] != WILDCARD:
        where.append(XCom.task_id == p["task_id"])
    return where


def get_xcom_entries(call: Call) -> dict[str, Any]:
    where = _where(call)
    if call.query["map_index"] is not None:
        where.append(XCom.map_index == call.query["map_index"])
    if call.query["xcom_key"]:
        where.append(XCom.key == call.query["xcom_key"])
    order = (XCom.dag_id, XCom.run_id, XCom.task_id, XCom.map_index, XCom.key)
    rows, total = page(call.session, select(XCom).order_by(*order), where, call, count_from=XCom)
    return {
        "xcom_entries": [xcom_json(r[0], with_value=False) for r in rows],
        "total_entries": total,
    }


def get_xcom_entry(call: Call) -> dict[str, Any]:
    p = call.path
    if WILDCARD in (p["dag_id"], p["dag_run_id"], p["task_id"]):
        raise ApiError(400, "one XCom entry needs a real dag_id, dag_run_id and task_id (no ~)")
    where = [*_where(call), XCom.key == p["xcom_key"], XCom.map_index == call.query["map_index"]]
    row = call.session.scalar(select(XCom).where(*where))
    if row is None:
        raise ApiError(
            404,
            f"XCom {p['xcom_key']!r} of task {p['task_id']!r} in run {p['dag_run_id']!r} not found",
        )
    return xcom_json(row, with_value=True)


ENDPOINTS: tuple[Endpoint, ...] = (
    Endpoint(
        "GET",
        _BASE,
        get_xcom_entries,
        "List XCom entries (dag_id, dag_run_id and task_id may be ~)",
        "XCom",
        query=(
            *PAGE_PARAMS,
            Param("map_index", "integer", "Only this map index.", minimum=-1),
            Param("xcom_key", description="Only this key."),
        ),
        response=collection("xcom_entries"),
    ),
    Endpoint(
        "GET",
        _BASE + "/{xcom_key}",
        get_xcom_entry,
        "Get an XCom entry with its value",
        "XCom",
        query=(Param("map_index", "integer", "Map index.", default=-1, minimum=-1),),
        response=obj({"key": {"type": "string"}, "value": {}}),
    ),
)
