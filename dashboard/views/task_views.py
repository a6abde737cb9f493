"""A DAG run's page and a task instance's page, the live log, and the actions on them:
clear, mark success / failed, run; mark a run, delete a run."""

from __future__ import annotations

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from dashboard.auth.permissions import EDIT_RUNS
from dashboard.presenters.dag_header import dag_header
from dashboard.presenters.task_instance import show_value, task_instance_view
from dashboard.presenters.task_logs import read_try_log
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
    wake_scheduler,
)
from tradewind.core.keys import TaskInstanceKey, TryKey
from tradewind.core.states import UNFINISHED, DagRunState, TaskState
from tradewind.errors import TradewindError
from tradewind.metastore.models import TaskInstance, TaskTry


def _ids(request: Request) -> tuple[str, str]:
    return request.path_params["dag_id"], request.path_params["run_id"]


def run_url(dag_id: str, run_id: str) -> str:
    return f"/dags/{q(dag_id)}/runs/{q(run_id)}"


def ti_url(dag_id: str, run_id: str, task_id: str, map_index: int = -1) -> str:
    url = f"{run_url(dag_id, run_id)}/tasks/{q(task_id)}"
    return url + (f"?map_index={map_index}" if map_index >= 0 else "")


@login_required
def run_page(request: Request) -> Response:
    from sqlalchemy import select

    from tradewind.metastore.runs import get_dagrun

    dag_id, run_id = _ids(request)
    with db(request) as session:
        header = dag_header(session, dag_id)
        run = get_dagrun(session, dag_id, run_id)
        order = {t: i for i, t in enumerate(header.spec.task_ids)}
        tis = sorted(
            session.scalars(
                select(TaskInstance).where(
                    TaskInstance.dag_id == dag_id, TaskInstance.run_id == run_id
                )
            ),
            key=lambda ti: (order.get(ti.task_id, len(order)), ti.map_index),
        )
    return render(
        request,
        "run.html",
        {
            "h": header,
            "dag_id": dag_id,
            "run": run,
            "tis": tis,
            "conf_text": show_value(run.conf or {}),
        },
    )


@login_required
def task_instance_page(request: Request) -> Response:
    from tradewind.metastore.runs import get_dagrun

    dag_id, run_id = _ids(request)
    task_id = request.path_params["task_id"]
    map_index = int_param(request, "map_index", -1, minimum=-1)
    with db(request) as session:
        header = dag_header(session, dag_id)
        run = get_dagrun(session, dag_id, run_id)
        task = header.spec.task_map.get(task_id)
        view = task_instance_view(session, run, task_id, map_index, task)
        tries = view.tries
        chosen = int_param(request, "try", tries[-1].try_number if tries else 0)
        chosen_row = next((t for t in tries if t.try_number == chosen), None)
        log = read_try_log(
            request.app.state.settings,
            session,
            TryKey(dag_id, run_id, task_id, view.ti.map_index, max(chosen, 1)),
            worker_name=chosen_row.worker_name if chosen_row else None,
        )
    try_running = chosen_row is not None and chosen_row.end_date is None
    return render(
        request,
        "task_instance.html",
        {
            "h": header,
            "dag_id": dag_id,
            "run": run,
            "v": view,
            "ti": view.ti,
            "chosen_try": chosen,
            "log_url": f"{ti_url(dag_id, run_id, task_id)}/log",
            "ti_url": ti_url(dag_id, run_id, task_id, view.ti.map_index),
            "follow": try_running
            or (chosen_row is None and view.ti.state in {s.value for s in UNFINISHED}),
            "log": log,
        },
    )


@login_required
def task_log(request: Request) -> Response:
    """JSON: the log of one try from ``offset`` on, and whether the try may still write."""
    from sqlalchemy import select

    dag_id, run_id = _ids(request)
    task_id = request.path_params["task_id"]
    map_index = int_param(request, "map_index", -1, minimum=-1)
    try_number = int_param(request, "try", 1, minimum=1)
    offset = int_param(request, "offset", 0)
    settings = request.app.state.settings
    with db(request) as session:
        row = session.execute(
            select(TaskTry.state, TaskTry.worker_name, TaskTry.end_date).where(
                TaskTry.dag_id == dag_id,
                TaskTry.run_id == run_id,
                TaskTry.task_id == task_id,
                TaskTry.map_index == map_index,
                TaskTry.try_number == try_number,
            )
        ).first()
        ti_state = session.scalar(
            select(TaskInstance.state).where(
                TaskInstance.dag_id == dag_id,
                TaskInstance.run_id == run_id,
                TaskInstance.task_id == task_id,
                TaskInstance.map_index == map_index,
            )
        )
        key = TryKey(dag_id, run_id, task_id, map_index, try_number)
        chunk = read_try_log(
            settings, session, key, worker_name=row.worker_name if row else None, offset=offset
        )
    running = (row is None and ti_state in {s.value for s in UNFINISHED}) or (
        row is not None and row.end_date is None
    )
    return JSONResponse(
        {
            "text": chunk.text,
            "next_offset": chunk.next_offset,
            "found": chunk.found,
            "source": chunk.source,
            "running": running,
            "state": row.state if row else ti_state,
        }
    )


async def ti_action(request: Request) -> Response:
    """POST clear / mark / run on one task instance (User role and a CSRF token)."""
    form = await guard_action(request, EDIT_RUNS)
    dag_id, run_id = _ids(request)
    task_id = request.path_params["task_id"]
    action = request.path_params["action"]
    try:
        map_index = int(form.get("map_index", "-1") or -1)
    except ValueError:
        map_index = -1
    message = await run_in_threadpool(
        _apply_ti_action, request, action, dag_id, run_id, task_id, map_index, form
    )
    flash(request, message)
    return redirect(ti_url(dag_id, run_id, task_id, map_index))


def _apply_ti_action(
    request: Request,
    action: str,
    dag_id: str,
    run_id: str,
    task_id: str,
    map_index: int,
    form: dict[str, str],
) -> str:
    from tradewind.metastore import runs

    with db(request) as session:
        run = runs.get_dagrun(session, dag_id, run_id)
        if action in ("clear", "run"):
            options = {"downstream": False, "upstream": False, "only_failed": False}
            start = end = None
            run_ids: list[str] | None = [run_id]
            if action == "clear":
                options = {name: is_checked(form, name) for name in options}
                past, future = is_checked(form, "past"), is_checked(form, "future")
                if past or future:
                    run_ids = None
                    start = None if past else run.logical_date
                    end = None if future else run.logical_date
            cleared = runs.clear_task_instances(
                session,
                dag_id,
                run_ids=run_ids,
                task_ids=[task_id],
                start_date=start,
                end_date=end,
                **options,
            )
            wake_scheduler(session)
            verb = "Cleared" if action == "clear" else "Queued to run again:"
            return f"{verb} {len(cleared)} task instance(s)"
        if action in ("success", "failed"):
            key = TaskInstanceKey(dag_id, run_id, task_id, map_index)
            changed = runs.mark_task_instances(
                session,
                [key],
                TaskState(action),
                upstream=is_checked(form, "upstream"),
                downstream=is_checked(form, "downstream"),
                past=is_checked(form, "past"),
                future=is_checked(form, "future"),
            )
            wake_scheduler(session)
            return f"Marked {len(changed)} task instance(s) {action}"
    raise TradewindError(f"unknown action {action!r}", hint="use clear, run, success or failed")


async def run_action(request: Request) -> Response:
    """POST on a run: mark it success / failed / queued, clear it, or delete it."""
    form = await guard_action(request, EDIT_RUNS)
    dag_id, run_id = _ids(request)
    action = request.path_params["action"]

    def _apply() -> str:
        from tradewind.metastore import runs

        with db(request) as session:
            if action in ("success", "failed", "queued"):
                changed = runs.set_dagrun_state(session, dag_id, run_id, DagRunState(action))
                wake_scheduler(session)
                return f"Marked run {action} ({len(changed)} task instance(s) changed)"
            if action == "clear":
                runs.get_dagrun(session, dag_id, run_id)
                cleared = runs.clear_task_instances(
                    session, dag_id, run_ids=[run_id], only_failed=is_checked(form, "only_failed")
                )
                wake_scheduler(session)
                return f"Cleared {len(cleared)} task instance(s)"
            if action == "delete":
                runs.get_dagrun(session, dag_id, run_id)
                runs.delete_dag_runs(session, dag_id, [run_id])
                return f"Deleted run {run_id}"
        raise TradewindError(f"unknown action {action!r}")

    message = await run_in_threadpool(_apply)
    flash(request, message)
    if action == "delete":
        return redirect(f"/dags/{q(dag_id)}")
    return redirect(run_url(dag_id, run_id))
