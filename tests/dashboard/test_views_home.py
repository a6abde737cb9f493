"""The home page: every DAG with its runs and tasks by state, search, tags, pagination, import
errors, and the DAG actions (pause, trigger, trigger with conf, delete)."""

from __future__ import annotations

import re
from contextlib import contextmanager
from typing import TYPE_CHECKING

from sqlalchemy import event, select

from tradewind.core.spec import DagSpec, TaskSpec
from tradewind.metastore.dag_rows import ParsedDag
from tradewind.metastore.dag_sync import sync_specs
from tradewind.metastore.models import DagModel, DagRun

if TYPE_CHECKING:
    from tests.dashboard.conftest import Dash


def _dag_ids(html: str) -> list[str]:
    return re.findall(r'<tr data-dag-id="([^"]+)"', html)


def _add_dags(dash: Dash, count: int) -> None:
    parsed = [
        ParsedDag(
            DagSpec(
                dag_id=f"bulk_{i:04d}",
                fileloc=f"/bulk/{i}.py",
                tags=("bulk",),
                tasks=(TaskSpec("t"),),
            ),
            "# bulk",
        )
        for i in range(count)
    ]
    with dash.session() as session:
        sync_specs(session, parsed)


@contextmanager
def _count_queries(dash: Dash):
    seen: list[str] = []

    def on_execute(*args: object) -> None:
        seen.append(str(args[2]))

    event.listen(dash.metastore.engine, "before_cursor_execute", on_execute)
    try:
        yield seen
    finally:
        event.remove(dash.metastore.engine, "before_cursor_execute", on_execute)


def test_the_home_page_shows_each_dag_with_tags_owner_schedule_and_state_counts(
    dash: Dash,
) -> None:
    from tradewind.core.keys import TaskInstanceKey
    from tradewind.metastore.runs import mark_task_instances

    run_id = dash.trigger("dash_pipeline")
    with dash.session() as session:
        mark_task_instances(
            session, [TaskInstanceKey("dash_pipeline", run_id, "extract")], "success"
        )
    html = dash.client("Viewer").get("/").text
    assert _dag_ids(html) == ["dash_pipeline", "dash_simple"]
    row = html.split('data-dag-id="dash_pipeline"')[1].split("</tr>")[0]
    assert 'href="/?tag=dash"' in row and 'href="/?tag=etl"' in row
    assert "alice" in row and "@daily" in row
    assert '<span class="count" title="queued" data-state="queued"' in row
    assert 'title="success" data-state="success" style="border-color: #008000">1<' in row
    assert 'title="none" data-state="none" style="border-color: #d3d3d3">3<' in row


def test_search_by_substring_and_filter_by_tag(dash: Dash) -> None:
    client = dash.client("Viewer")
    assert _dag_ids(client.get("/?search=simp").text) == ["dash_simple"]
    assert _dag_ids(client.get("/?tag=etl").text) == ["dash_pipeline"]
    assert _dag_ids(client.get("/?tag=etl&search=simple").text) == []
    assert _dag_ids(client.get("/?search=%25").text) == []


def test_many_dags_are_paginated_with_a_fixed_number_of_queries(dash: Dash) -> None:
    client = dash.client("Viewer")
    with _count_queries(dash) as few:
        client.get("/")
    _add_dags(dash, 60)
    with _count_queries(dash) as many:
        first = client.get("/?tag=bulk").text
    assert len(many) == len(few)
    assert _dag_ids(first) == [f"bulk_{i:04d}" for i in range(25)]
    assert "1–25 of 60" in first and 'rel="next" href="/?tag=bulk&amp;offset=25"' in first
    last = client.get("/?tag=bulk&offset=50").text
    assert _dag_ids(last) == [f"bulk_{i:04d}" for i in range(50, 60)]
    assert 'rel="prev"' in last and 'rel="next"' not in last


def test_import_errors_are_shown_with_file_and_message(dash: Dash) -> None:
    html = dash.client("Viewer").get("/").text
    banner = html.split('id="import-errors"')[1].split("</section>")[0]
    assert "dash_broken.py" in banner
    assert "No module named &#39;not_a_module_anywhere_dash&#39;" in banner


def test_trigger_with_conf_stores_the_conf(dash: Dash) -> None:
    client = dash.client("User")
    answer = dash.post(client, "/dags/dash_pipeline/trigger", {"conf": '{"rows": 5, "note": "x"}'})
    assert answer.status_code == 303
    with dash.session() as session:
        [run] = session.scalars(select(DagRun)).all()
        assert run.conf == {"rows": 5, "note": "x"} and run.triggered_by == "user"


def test_trigger_with_bad_json_or_bad_params_shows_the_message_and_stores_nothing(
    dash: Dash,
) -> None:
    client = dash.client("User")
    bad_json = dash.post(client, "/dags/dash_pipeline/trigger", {"conf": '{"rows": '})
    assert bad_json.status_code == 400
    assert "conf is not valid JSON" in bad_json.text
    assert "{&#34;rows&#34;:</textarea>" in bad_json.text  # the text typed is kept, escaped
    not_object = dash.post(client, "/dags/dash_pipeline/trigger", {"conf": "[1, 2]"})
    assert "conf must be a JSON object" in not_object.text
    bad_param = dash.post(client, "/dags/dash_pipeline/trigger", {"conf": '{"rows": 0}'})
    assert bad_param.status_code == 400
    assert "rows" in re.search(r'id="trigger-error">([^<]*)<', bad_param.text).group(1)
    with dash.session() as session:
        assert session.scalars(select(DagRun)).all() == []


def test_the_trigger_form_prefills_the_params_defaults(dash: Dash) -> None:
    html = dash.client("User").get("/dags/dash_pipeline/trigger").text
    assert "&#34;rows&#34;: 10" in html
    assert "<b>hi</b>" not in html and "&lt;b&gt;hi&lt;/b&gt;" in html


def test_a_user_pauses_and_unpauses_a_dag(dash: Dash) -> None:
    client = dash.client("User")
    assert dash.post(client, "/dags/dash_simple/pause", {"is_paused": "false"}).status_code == 303
    with dash.session() as session:
        assert session.get(DagModel, "dash_simple").is_paused is False
    dash.post(client, "/dags/dash_simple/pause", {"is_paused": "true"})
    with dash.session() as session:
        assert session.get(DagModel, "dash_simple").is_paused is True


def test_a_user_deletes_a_dag_with_its_runs(dash: Dash) -> None:
    dash.trigger("dash_simple")
    client = dash.client("User")
    assert dash.post(client, "/dags/dash_simple/delete").status_code == 303
    with dash.session() as session:
        assert session.get(DagModel, "dash_simple") is None
        assert session.scalars(select(DagRun)).all() == []
    assert _dag_ids(client.get("/").text) == ["dash_pipeline"]


def test_each_row_shows_the_pause_toggle_the_last_run_the_next_run_and_the_actions(
    dash: Dash,
) -> None:
    from sqlalchemy import update

    run_id = dash.trigger("dash_pipeline", logical_date=dash.at(5, 6))
    with dash.session() as session:
        session.execute(
            update(DagModel)
            .where(DagModel.dag_id == "dash_pipeline")
            .values(next_dagrun=dash.at(7), is_paused=False)
        )
    html = dash.client("User").get("/").text
    row = html.split('data-dag-id="dash_pipeline"')[1].split("</tr>")[0]
    assert 'role="switch"' in row and 'aria-checked="true"' in row
    assert 'name="is_paused" value="true"' in row  # the toggle pauses an active DAG
    run_link = f"/dags/dash_pipeline/runs/{run_id.replace(':', '%3A').replace('+', '%2B')}"
    assert f'href="{run_link}">2024-03-05 06:00:00</a>' in row
    assert "2024-03-07 00:00:00" in row
    assert '<form method="post" action="/dags/dash_pipeline/trigger"' in row
    assert '<a href="/dags/dash_pipeline/trigger" title="Trigger with config">' in row
    assert '<form method="post" action="/dags/dash_pipeline/delete"' in row
    simple = html.split('data-dag-id="dash_simple"')[1].split("</tr>")[0]
    assert 'aria-checked="false"' in simple and 'name="is_paused" value="false"' in simple
