"""The home page (every DAG) and the DAG-level actions: pause, trigger, delete."""

from __future__ import annotations

import json
from typing import Any

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response

from dashboard.auth.permissions import EDIT_RUNS
from dashboard.presenters.dag_list import all_tags, import_errors, list_dags
from dashboard.presenters.pagination import pager
from dashboard.views.page import (
    db,
    flash,
    guard_action,
    int_param,
    is_checked,
    login_required,
    q,
    redirect,
    render,
    safe_next,
    wake_scheduler,
)
from tradewind.errors import DagNotFound, TradewindError

PAGE_SIZE = 25


@login_required
def home(request: Request) -> Response:
    search = request.query_params.get("search", "").strip()
    tag = request.query_params.get("tag", "").strip()
    limit = int_param(request, "limit", PAGE_SIZE, minimum=1, maximum=200)
    offset = int_param(request, "offset", 0)
    with db(request) as session:
        listing = list_dags(session, search=search, tag=tag, offset=offset, limit=limit)
        tags = all_tags(session)
        errors = import_errors(session)
    page = pager(
        "/",
        {"search": search, "tag": tag, "limit": str(limit) if limit != PAGE_SIZE else ""},
        offset=offset,
        limit=limit,
        total=listing.total,
    )
    return render(
        request,
        "home.html",
        {
            "dags": listing.rows,
            "pager": page,
            "search": search,
            "tag": tag,
            "tags": tags,
            "import_errors": errors,
        },
    )


async def pause(request: Request) -> Response:
    form = await guard_action(request, EDIT_RUNS)
    dag_id = request.path_params["dag_id"]
    paused = is_checked(form, "is_paused")

    def _write() -> None:
        from tradewind.metastore.models import DagModel

        with db(request) as session:
            dag = session.get(DagModel, dag_id)
            if dag is None:
                raise DagNotFound(f"DAG {dag_id!r} not found")
            dag.is_paused = paused

    await run_in_threadpool(_write)
    if "application/json" in request.headers.get("accept", ""):
        from starlette.responses import JSONResponse

        return JSONResponse({"dag_id": dag_id, "is_paused": paused})
    return redirect(safe_next(form.get("next"), "/"))


@login_required
def trigger_form(request: Request) -> Response:
    dag_id = request.path_params["dag_id"]
    with db(request) as session:
        from tradewind.metastore.dag_specs import latest_spec

        spec = latest_spec(session, dag_id)
    defaults = {name: p.get("default") for name, p in spec.params.items()}
    return render(
        request,
        "trigger.html",
        {
            "dag_id": dag_id,
            "params": spec.params,
            "conf_text": json.dumps(defaults, indent=2, default=str),
            "error": None,
            "run_id": "",
        },
    )


async def trigger(request: Request) -> Response:
    """Trigger a run, with a JSON conf when the form carries one (validated against params)."""
    form = await guard_action(request, EDIT_RUNS)
    dag_id = request.path_params["dag_id"]
    conf_text = form.get("conf", "").strip()
    run_id = form.get("run_id", "").strip() or None
    user = request.state.user
    error = None
    conf: dict[str, Any] | None = None
    if conf_text:
        try:
            loaded = json.loads(conf_text)
        except json.JSONDecodeError as exc:
            error = f"conf is not valid JSON: {exc.msg} (line {exc.lineno}, column {exc.colno})"
        else:
            if isinstance(loaded, dict):
                conf = loaded
            else:
                error = 'conf must be a JSON object, like {"key": "value"}'
    if error is None:
        try:
            made = await run_in_threadpool(_trigger, request, dag_id, conf, run_id, user.username)
        except DagNotFound:
            raise
        except TradewindError as exc:
            error = str(exc)
        else:
            flash(request, f"Triggered {dag_id}: run {made}")
            return redirect(safe_next(form.get("next"), f"/dags/{q(dag_id)}"))
    with db(request) as session:
        from tradewind.metastore.dag_specs import latest_spec

        spec = latest_spec(session, dag_id)
    return render(
        request,
        "trigger.html",
        {
            "dag_id": dag_id,
            "params": spec.params,
            "conf_text": conf_text,
            "error": error,
            "run_id": run_id or "",
        },
        status_code=400,
    )


def _trigger(
    request: Request, dag_id: str, conf: dict[str, Any] | None, run_id: str | None, who: str
) -> str:
    from tradewind.metastore.runs import trigger_dag

    with db(request) as session:
        run = trigger_dag(session, dag_id, conf=conf, run_id=run_id, triggered_by=who)
        wake_scheduler(session)
        return run.run_id


async def delete(request: Request) -> Response:
    form = await guard_action(request, EDIT_RUNS)
    dag_id = request.path_params["dag_id"]

    def _delete() -> None:
        from tradewind.metastore.runs import delete_dag

        with db(request) as session:
            delete_dag(session, dag_id)

    await run_in_threadpool(_delete)
    flash(request, f"Deleted every record of {dag_id}")
    return redirect(safe_next(form.get("next"), "/"))
