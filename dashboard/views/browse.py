"""Browse pages: DAG runs, task instances, XComs and dataset events, filtered and paginated."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Select, func, select
from starlette.requests import Request
from starlette.responses import Response

from dashboard.presenters.pagination import deferred_page, pager
from dashboard.presenters.task_instance import show_value
from dashboard.views.page import db, int_param, login_required, render
from tradewind.core.states import DagRunState, TaskState
from tradewind.metastore.models import DagRun, Dataset, DatasetEvent, TaskInstance, XCom
from tradewind.metastore.xcoms import deserialize_value
from tradewind.runtime.secrets_masker import redact_value

PAGE_SIZE = 50
VALUE_PREVIEW = 300


def _filters(request: Request, *names: str) -> dict[str, str]:
    return {name: request.query_params.get(name, "").strip() for name in names}


def _page(
    request: Request, query: Select[Any], order: Any, filters: dict[str, str]
) -> tuple[list[Any], Any]:
    limit = int_param(request, "limit", PAGE_SIZE, minimum=1, maximum=500)
    offset = int_param(request, "offset", 0)
    with db(request) as session:
        total = session.scalar(select(func.count()).select_from(query.subquery())) or 0
        rows = list(session.execute(query.order_by(*order).offset(offset).limit(limit)).all())
    return rows, pager(request.url.path, filters, offset=offset, limit=limit, total=total)


@login_required
def runs(request: Request) -> Response:
    filters = _filters(request, "dag_id", "state")
    query = select(DagRun)
    if filters["dag_id"]:
        query = query.where(DagRun.dag_id == filters["dag_id"])
    if filters["state"]:
        query = query.where(DagRun.state == filters["state"])
    rows, page = _page(request, query, [DagRun.id.desc()], filters)
    return render(
        request,
        "browse_runs.html",
        {
            "rows": [r[0] for r in rows],
            "pager": page,
            "filters": filters,
            "states": [s.value for s in DagRunState],
        },
    )


@login_required
def task_instances(request: Request) -> Response:
    """Ordered by the primary key, so a deep page walks the key index (a deferred join)."""
    filters = _filters(request, "dag_id", "state", "run_id")
    where = [getattr(TaskInstance, n) == v for n, v in filters.items() if v]
    limit = int_param(request, "limit", PAGE_SIZE, minimum=1, maximum=500)
    offset = int_param(request, "offset", 0)
    keys = [TaskInstance.dag_id, TaskInstance.run_id, TaskInstance.task_id, TaskInstance.map_index]
    with db(request) as session:
        rows, total = deferred_page(session, TaskInstance, keys, where, limit=limit, offset=offset)
    return render(
        request,
        "browse_task_instances.html",
        {
            "rows": rows,
            "pager": pager(request.url.path, filters, offset=offset, limit=limit, total=total),
            "filters": filters,
            "states": [s.value for s in TaskState],
        },
    )


def _preview(text: str, key: str) -> str:
    value = show_value(redact_value(deserialize_value(text), key))
    return value if len(value) <= VALUE_PREVIEW else value[:VALUE_PREVIEW] + "…"


@login_required
def xcoms(request: Request) -> Response:
    filters = _filters(request, "dag_id", "run_id", "task_id")
    query = select(XCom)
    for name in ("dag_id", "run_id", "task_id"):
        if filters[name]:
            query = query.where(getattr(XCom, name) == filters[name])
    rows, page = _page(request, query, [XCom.id.desc()], filters)
    items = [(x, _preview(x.value, x.key)) for (x,) in rows]
    return render(request, "browse_xcoms.html", {"rows": items, "pager": page, "filters": filters})


@login_required
def dataset_events(request: Request) -> Response:
    filters = _filters(request, "uri")
    query = select(DatasetEvent, Dataset.uri).join(Dataset, Dataset.id == DatasetEvent.dataset_id)
    if filters["uri"]:
        query = query.where(Dataset.uri == filters["uri"])
    rows, page = _page(request, query, [DatasetEvent.id.desc()], filters)
    items = [(event, uri, show_value(event.extra) if event.extra else "") for event, uri in rows]
    return render(
        request,
        "browse_dataset_events.html",
        {"rows": items, "pager": page, "filters": filters},
    )
