"""The fleet monitor (what Flower shows for Celery): workers, queues, throughput, and the
per-worker actions drain / resume / subscribe / unsubscribe, written to the worker's row (the
worker applies them on its next heartbeat)."""

from __future__ import annotations

import re
from typing import Any

from sqlalchemy import select
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from dashboard.auth.permissions import EDIT_ADMIN
from dashboard.fleet_stats import broker_stats_for, fleet_snapshot
from dashboard.views.page import db, flash, guard_action, login_required, redirect, render
from tradewind.errors import TradewindError
from tradewind.metastore.models import Worker

QUEUE_NAME = re.compile(r"^[A-Za-z0-9_.:-]{1,200}$")


def _snapshot(request: Request) -> dict[str, Any]:
    settings = request.app.state.settings
    broker = broker_stats_for(request.app.state, settings)
    with db(request) as session:
        return fleet_snapshot(settings, session, broker)


@login_required
def fleet(request: Request) -> Response:
    return render(request, "fleet.html", {"snap": _snapshot(request)})


@login_required
def fleet_data(request: Request) -> Response:
    """The same data as JSON, for the page's live updates."""
    return JSONResponse(_snapshot(request))


async def worker_action(request: Request) -> Response:
    """drain, resume, subscribe (form: queue) or unsubscribe (form: queue); Op role."""
    form = await guard_action(request, EDIT_ADMIN)
    name = request.path_params["name"]
    action = request.path_params["action"]

    def _apply() -> str:
        with db(request) as session:
            worker = session.scalar(select(Worker).where(Worker.name == name))
            if worker is None:
                raise TradewindError(f"no worker named {name!r}")
            if action == "drain":
                worker.drain_requested = True
                return f"Asked {name} to stop taking work"
            if action == "resume":
                worker.drain_requested = False
                return f"Asked {name} to take work again"
            if action in ("subscribe", "unsubscribe"):
                queue = form.get("queue", "").strip()
                if not QUEUE_NAME.match(queue):
                    raise TradewindError(f"{queue!r} is not a queue name")
                current = (
                    worker.wanted_queues if worker.wanted_queues is not None else worker.queues
                )
                queues = [q for q in current.split(",") if q]
                if action == "subscribe" and queue not in queues:
                    queues.append(queue)
                if action == "unsubscribe":
                    if queues == [queue]:
                        raise TradewindError("a worker must consume at least one queue")
                    queues = [q for q in queues if q != queue]
                worker.wanted_queues = ",".join(queues)
                return f"Asked {name} to consume {', '.join(queues)}"
        raise TradewindError(f"unknown action {action!r}")

    try:
        message = await run_in_threadpool(_apply)
    except TradewindError as exc:
        if "application/json" in request.headers.get("accept", ""):
            return JSONResponse({"status": 400, "message": str(exc)}, status_code=400)
        flash(request, str(exc), "error")
    else:
        if "application/json" in request.headers.get("accept", ""):
            return JSONResponse({"message": message})
        flash(request, message)
    return redirect("/fleet")
