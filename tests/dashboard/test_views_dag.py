"""A DAG's tabs: grid (paginated runs, tasks in spec order), graph, gantt, calendar, duration
and landing charts, code (per version) and details (doc_md as Markdown without raw HTML)."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import TYPE_CHECKING
from urllib.parse import quote

from sqlalchemy import select

from tradewind.core.keys import TaskInstanceKey, TryKey
from tradewind.metastore import transitions
from tradewind.metastore.dag_specs import latest_spec, latest_version
from tradewind.metastore.models import DagModel, DagVersion
from tradewind.metastore.runs import create_dagrun

if TYPE_CHECKING:
    from tests.dashboard.conftest import Dash

DAG = "dash_pipeline"
TASKS = ["extract", "transform.clean", "transform.join", "load"]


def _runs(dash: Dash, count: int) -> list[str]:
    with dash.session() as session:
        spec = latest_spec(session, DAG)
        version_id = latest_version(session, DAG).id
        return [
            create_dagrun(
                session,
                spec,
                logical_date=dash.at(1) + timedelta(hours=i),
                run_type="scheduled",
                dag_version_id=version_id,
            ).run_id
            for i in range(count)
        ]


def _finish(dash: Dash, run_id: str, task_id: str, seconds: float, state: str = "success") -> None:
    start = dash.at(2)
    end = start + timedelta(seconds=seconds)
    with dash.session() as session:
        transitions.set_task_state(
            session,
            TaskInstanceKey(DAG, run_id, task_id),
            state,
            expected=["none"],
            try_number=None,
            start_date=start,
            end_date=end,
            duration=seconds,
        )
        transitions.record_try(
            session, TryKey(DAG, run_id, task_id, -1, 1), state, start_date=start, end_date=end
        )


def test_the_grid_shows_tasks_in_spec_order_and_the_latest_25_runs(dash: Dash) -> None:
    run_ids = _runs(dash, 30)
    _finish(dash, run_ids[-1], "extract", 3)
    client = dash.client("Viewer")
    html = client.get(f"/dags/{DAG}").text
    assert re.findall(r'<tr data-task-id="([^"]+)"', html) == TASKS
    shown = re.findall(r'<a href="/dags/dash_pipeline/runs/([^"]+)" title=', html)
    assert len(shown) == 25
    assert shown[-1].replace("%3A", ":").replace("%2B", "+") == run_ids[-1]
    assert "30 runs" in html and 'href="?offset=25&runs=25" rel="next"' in html
    assert 'data-state="success"' in html and "background: #008000" in html
    older = client.get(f"/dags/{DAG}?offset=25").text
    assert len(re.findall(r'class="run-bar"', older)) == 5
    assert 'rel="prev"' in older and 'rel="next"' not in older


def test_a_grid_cell_links_to_its_task_instance(dash: Dash) -> None:
    [run_id] = _runs(dash, 1)
    client = dash.client("Viewer")
    html = client.get(f"/dags/{DAG}").text
    link = re.search(r'<a class="cell" href="([^"]+)" data-state="none"', html).group(1)
    page = client.get(link)
    assert page.status_code == 200 and "<h1>extract" in page.text and run_id in page.text


def test_the_graph_draws_every_task_edge_and_group_coloured_by_the_run(dash: Dash) -> None:
    first, second = _runs(dash, 2)
    _finish(dash, first, "extract", 1, "failed")
    client = dash.client("Viewer")
    html = client.get(f"/dags/{DAG}/graph?run_id={quote(first)}").text
    nodes = re.findall(r'class="node" data-task-id="([^"]+)"\s+data-state="([^"]+)"', html)
    assert dict(nodes) == {
        "extract": "failed",
        "transform.clean": "none",
        "transform.join": "none",
        "load": "none",
    }
    assert len(re.findall(r'<path class="edge"', html)) == 3
    assert 'data-group="transform"' in html
    assert 'data-groups="transform"' in html  # members know their group, for collapsing
    latest = client.get(f"/dags/{DAG}/graph").text  # no run named: the latest run
    assert f'value="{second}" selected' in latest and 'data-state="failed"' not in latest


def test_the_gantt_draws_each_try_on_a_time_axis(dash: Dash) -> None:
    [run_id] = _runs(dash, 1)
    _finish(dash, run_id, "extract", 10)
    _finish(dash, run_id, "load", 5)
    html = dash.client("Viewer").get(f"/dags/{DAG}/gantt?run_id={quote(run_id)}").text
    bars = re.findall(
        r'class="bar" data-task-id="([^"]+)" data-try="1" data-state="success">\s*'
        r'<text[^>]*>[^<]*</text>\s*<rect x="([\d.]+)" y="[\d.]+" width="([\d.]+)"',
        html,
    )
    assert [b[0] for b in bars] == ["extract", "load"]
    assert float(bars[0][2]) == 2 * float(bars[1][2])


def test_calendar_duration_and_landing_times_chart_recent_runs(dash: Dash) -> None:
    run_ids = _runs(dash, 3)
    for i, run_id in enumerate(run_ids):
        _finish(dash, run_id, "extract", 2.0 + i)
    client = dash.client("Viewer")
    calendar = client.get(f"/dags/{DAG}/calendar").text
    assert len(re.findall(r"<rect [^>]*data-day=", calendar)) == 365
    duration = client.get(f"/dags/{DAG}/duration").text
    assert 'data-task-id="extract"' in duration and "last 3 runs" in duration
    assert 'data-task-id="load"' not in duration  # no finished instance: no line
    landing = client.get(f"/dags/{DAG}/landing").text
    assert 'data-task-id="extract"' in landing


def test_the_code_tab_shows_the_version_a_past_run_used(dash: Dash) -> None:
    [run_id] = _runs(dash, 1)
    with dash.session() as session:
        old = session.get(DagModel, DAG).latest_version_id
        newer = DagVersion(
            dag_id=DAG,
            version_hash="x" * 64,
            version_number=2,
            source_code="# version two",
            spec_json=session.get(DagVersion, old).spec_json,
        )
        session.add(newer)
        session.flush()
        session.get(DagModel, DAG).latest_version_id = newer.id
    client = dash.client("Viewer")
    assert "# version two" in client.get(f"/dags/{DAG}/code").text
    run_page = client.get(f"/dags/{DAG}/runs/{quote(run_id)}").text
    link = re.search(r'href="(/dags/dash_pipeline/code\?version=\d+)"', run_page).group(1)
    assert link.endswith(f"={old}")
    old_code = client.get(link).text
    assert "TaskGroup(&#34;transform&#34;" in old_code and "# version two" not in old_code
    assert client.get(f"/dags/{DAG}/code?version=999").status_code == 404


def test_details_render_doc_md_as_markdown_and_escape_every_author_text(dash: Dash) -> None:
    client = dash.client("Viewer")
    html = client.get(f"/dags/{DAG}/details").text
    assert "<h1>Pipeline docs</h1>" in html and "<strong>bold</strong>" in html
    assert "&lt;script&gt;alert('doc')&lt;/script&gt;" in html
    assert "&lt;img src=x onerror=alert(1)&gt;" in html
    assert "&lt;script&gt;alert(&#34;description&#34;)&lt;/script&gt;" in html
    for page in ("", "/details", "/graph", "/code"):
        body = client.get(f"/dags/{DAG}{page}").text
        assert "<script>alert" not in body and "<img src=x" not in body, page
    assert "<script>alert" not in client.get("/").text
    assert "next data interval" in html.lower() and "&#34;rows&#34;" not in html
    assert re.search(r"<th>rows</th><td><code>10</code>", html)


def test_an_unknown_dag_is_a_404(dash: Dash) -> None:
    client = dash.client("Viewer")
    assert client.get("/dags/nope").status_code == 404
    assert client.get("/dags/nope/graph").status_code == 404
    with dash.session() as session:
        assert session.scalar(select(DagModel.dag_id).where(DagModel.dag_id == "nope")) is None


def test_the_gantt_draws_a_bar_for_every_try_of_a_task(dash: Dash) -> None:
    [run_id] = _runs(dash, 1)
    start = dash.at(2)
    with dash.session() as session:
        for try_number, state, begin, seconds in ((1, "failed", 0, 5), (2, "success", 10, 10)):
            transitions.record_try(
                session,
                TryKey(DAG, run_id, "extract", -1, try_number),
                state,
                start_date=start + timedelta(seconds=begin),
                end_date=start + timedelta(seconds=begin + seconds),
            )
    html = dash.client("Viewer").get(f"/dags/{DAG}/gantt?run_id={quote(run_id)}").text
    bars = re.findall(
        r'class="bar" data-task-id="extract" data-try="(\d)" data-state="(\w+)">\s*'
        r'<text[^>]*>[^<]*</text>\s*<rect x="([\d.]+)" y="[\d.]+" width="([\d.]+)"',
        html,
    )
    assert [(b[0], b[1]) for b in bars] == [("1", "failed"), ("2", "success")]
    assert float(bars[1][2]) > float(bars[0][2]) + float(bars[0][3])  # the retry starts later
    assert float(bars[1][3]) == 2 * float(bars[0][3])
