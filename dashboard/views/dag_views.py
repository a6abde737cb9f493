"""A DAG's page, tab by tab: grid, graph, gantt, calendar, durations, landing times, code,
details."""

from __future__ import annotations

from collections import defaultdict

from sqlalchemy import select
from starlette.requests import Request
from starlette.responses import Response

from dashboard.presenters import charts
from dashboard.presenters.dag_header import TABS, dag_header, pick_run, run_choices
from dashboard.presenters.graph_layout import layout
from dashboard.presenters.grid import build_grid, summary_state
from dashboard.presenters.markdown import render_markdown
from dashboard.views.page import db, int_param, login_required, render
from tradewind.core.spec import DagSpec
from tradewind.errors import DagNotFound
from tradewind.metastore.models import DagVersion, TaskInstance

GRID_RUNS = 25


def _page(request: Request, tab: str, template: str, header, **context: object) -> Response:
    return render(
        request,
        template,
        {"tab": tab, "tabs": TABS, "h": header, "dag_id": header.dag.dag_id, **context},
    )


@login_required
def grid(request: Request) -> Response:
    dag_id = request.path_params["dag_id"]
    limit = int_param(request, "runs", GRID_RUNS, minimum=1, maximum=100)
    offset = int_param(request, "offset", 0)
    with db(request) as session:
        header = dag_header(session, dag_id)
        data = build_grid(session, header.spec, offset=offset, limit=limit)
    return _page(request, "grid", "dag_grid.html", header, grid=data, limit=limit)


def _run_states(session, dag_id: str, run_id: str) -> dict[str, str]:
    found: dict[str, list[str]] = defaultdict(list)
    for task_id, state in session.execute(
        select(TaskInstance.task_id, TaskInstance.state).where(
            TaskInstance.dag_id == dag_id, TaskInstance.run_id == run_id
        )
    ):
        found[task_id].append(state)
    return {task_id: summary_state(states) for task_id, states in found.items()}


@login_required
def graph(request: Request) -> Response:
    dag_id = request.path_params["dag_id"]
    with db(request) as session:
        header = dag_header(session, dag_id)
        run = pick_run(session, dag_id, request.query_params.get("run_id"))
        states = _run_states(session, dag_id, run.run_id) if run else {}
        drawing = layout(header.spec, states)
        choices = run_choices(session, dag_id)
    return _page(
        request,
        "graph",
        "dag_graph.html",
        header,
        drawing=drawing,
        run=run,
        runs=choices,
        graph_data={
            "edges": [[e.source, e.target] for e in drawing.edges],
            "groups": [g.group_id for g in drawing.groups],
        },
    )


@login_required
def gantt(request: Request) -> Response:
    dag_id = request.path_params["dag_id"]
    with db(request) as session:
        header = dag_header(session, dag_id)
        run = pick_run(session, dag_id, request.query_params.get("run_id"))
        chart = charts.gantt(session, header.spec, run.run_id) if run else charts.Gantt()
        choices = run_choices(session, dag_id)
    return _page(request, "gantt", "dag_gantt.html", header, chart=chart, run=run, runs=choices)


@login_required
def calendar(request: Request) -> Response:
    dag_id = request.path_params["dag_id"]
    with db(request) as session:
        header = dag_header(session, dag_id)
        chart = charts.calendar(session, dag_id)
    return _page(request, "calendar", "dag_calendar.html", header, chart=chart)


@login_required
def duration(request: Request) -> Response:
    dag_id = request.path_params["dag_id"]
    runs = int_param(request, "runs", 25, minimum=2, maximum=200)
    with db(request) as session:
        header = dag_header(session, dag_id)
        chart = charts.durations(session, header.spec, runs=runs)
    return _page(request, "duration", "dag_chart.html", header, chart=chart)


@login_required
def landing(request: Request) -> Response:
    dag_id = request.path_params["dag_id"]
    runs = int_param(request, "runs", 25, minimum=2, maximum=200)
    with db(request) as session:
        header = dag_header(session, dag_id)
        chart = charts.landing_times(session, header.spec, runs=runs)
    return _page(request, "landing", "dag_chart.html", header, chart=chart)


@login_required
def code(request: Request) -> Response:
    """The DAG file as parsed for one version (a past run links to the version it ran)."""
    dag_id = request.path_params["dag_id"]
    with db(request) as session:
        header = dag_header(session, dag_id)
        wanted = int_param(request, "version", header.version_id)
        version = session.scalar(
            select(DagVersion).where(DagVersion.dag_id == dag_id, DagVersion.id == wanted)
        )
        if version is None:
            raise DagNotFound(f"DAG {dag_id!r} has no version {wanted}")
        versions = session.execute(
            select(DagVersion.id, DagVersion.version_number, DagVersion.created_at)
            .where(DagVersion.dag_id == dag_id)
            .order_by(DagVersion.version_number.desc())
            .limit(50)
        ).all()
        source, number, fileloc = version.source_code, version.version_number, version.fileloc
    return _page(
        request,
        "code",
        "dag_code.html",
        header,
        source=source,
        version_id=wanted,
        version_number=number,
        fileloc=fileloc,
        versions=versions,
    )


@login_required
def details(request: Request) -> Response:
    dag_id = request.path_params["dag_id"]
    with db(request) as session:
        header = dag_header(session, dag_id)
    spec: DagSpec = header.spec
    return _page(
        request,
        "details",
        "dag_details.html",
        header,
        spec=spec,
        doc_html=render_markdown(spec.doc_md),
        task_docs=[(t.task_id, render_markdown(t.doc_md)) for t in spec.tasks if t.doc_md],
    )
