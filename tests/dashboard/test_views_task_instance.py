"""A task instance's page (rendered templates, XComs, tries and their logs, followed live) and
the actions on task instances and runs, with their permissions."""

from __future__ import annotations

import re
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import quote

from sqlalchemy import select

from tradewind.core.keys import TaskInstanceKey, TryKey
from tradewind.metastore import transitions
from tradewind.metastore.models import DagRun, TaskInstance, Worker, utcnow
from tradewind.metastore.xcoms import push_xcom
from tradewind.runtime.task_log import try_log_path

if TYPE_CHECKING:
    from tests.dashboard.conftest import Dash

DAG = "dash_pipeline"
XSS = "<script>alert('x')</script>"


def _url(run_id: str, task_id: str = "extract") -> str:
    return f"/dags/{DAG}/runs/{quote(run_id, safe='')}/tasks/{task_id}"


def _state(dash: Dash, run_id: str, task_id: str) -> tuple[str, int]:
    with dash.session() as session:
        row = session.execute(
            select(TaskInstance.state, TaskInstance.try_number).where(
                TaskInstance.dag_id == DAG,
                TaskInstance.run_id == run_id,
                TaskInstance.task_id == task_id,
            )
        ).one()
        return row.state, row.try_number


def _ran(dash: Dash, run_id: str, task_id: str, state: str, log: str | None = None) -> None:
    """A finished first try of ``task_id``, with its history row and (optionally) its log."""
    now = utcnow()
    key = TaskInstanceKey(DAG, run_id, task_id)
    with dash.session() as session:
        transitions.set_task_state(session, key, "scheduled", expected=["none"], increment_try=True)
        transitions.set_task_state(session, key, "queued", expected=["scheduled"])
        transitions.set_task_state(session, key, "running", expected=["queued"], start_date=now)
        transitions.set_task_state(session, key, state, expected=["running"], end_date=now)
        transitions.record_try(
            session, TryKey(DAG, run_id, task_id, -1, 1), state, start_date=now, end_date=now
        )
    if log is not None:
        path = try_log_path(
            dash.settings.logging.base_log_folder, TryKey(DAG, run_id, task_id, -1, 1)
        )
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(log)


def test_the_page_shows_rendered_fields_xcoms_tries_and_the_log_all_escaped(dash: Dash) -> None:
    run_id = dash.trigger(DAG)
    _ran(dash, run_id, "extract", "success", log=f"line one\n{XSS}\n")
    with dash.session() as session:
        session.execute(
            TaskInstance.__table__.update()
            .where(TaskInstance.dag_id == DAG, TaskInstance.task_id == "extract")
            .values(rendered_fields={"bash_command": f"echo {XSS}"})
        )
        push_xcom(session, TaskInstanceKey(DAG, run_id, "extract"), "return_value", XSS, max_size=0)
        push_xcom(
            session, TaskInstanceKey(DAG, run_id, "extract"), "api_password", "hunter2", max_size=0
        )
    html = dash.client("Viewer").get(_url(run_id)).text
    assert "<script>alert" not in html
    escaped = "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;"
    rendered = html.split('id="rendered"')[1].split("</table>")[0]
    assert f"echo {escaped}" in rendered
    xcoms = html.split('id="xcoms"')[1].split("</table>")[0]
    assert escaped in xcoms and "hunter2" not in xcoms and "***" in xcoms
    log = html.split('id="log"')[1].split("</pre>")[0]
    assert "line one" in log and escaped in log
    assert 'data-follow="false"' in log
    assert re.search(r'class="active"\s+data-state="success">Try 1', html)


def test_the_log_endpoint_returns_new_bytes_from_an_offset(dash: Dash) -> None:
    run_id = dash.trigger(DAG)
    _ran(dash, run_id, "extract", "success", log="first\n")
    client = dash.client("Viewer")
    url = _url(run_id) + "/log?try=1"
    whole = client.get(url).json()
    assert whole["text"] == "first\n" and whole["next_offset"] == 6 and not whole["running"]
    path = try_log_path(
        dash.settings.logging.base_log_folder, TryKey(DAG, run_id, "extract", -1, 1)
    )
    with open(path, "a") as handle:
        handle.write("second ✓\n")
    more = client.get(url + "&offset=6").json()
    assert more["text"] == "second ✓\n" and more["next_offset"] == 6 + len("second ✓\n".encode())
    assert client.get(url + f"&offset={more['next_offset']}").json()["text"] == ""


def test_a_running_try_is_followed(dash: Dash) -> None:
    run_id = dash.trigger(DAG)
    key = TaskInstanceKey(DAG, run_id, "extract")
    with dash.session() as session:
        transitions.set_task_state(session, key, "scheduled", expected=["none"], increment_try=True)
        transitions.set_task_state(session, key, "queued", expected=["scheduled"])
        transitions.set_task_state(
            session, key, "running", expected=["queued"], start_date=utcnow()
        )
        transitions.record_try(
            session, TryKey(DAG, run_id, "extract", -1, 1), "running", start_date=utcnow()
        )
    client = dash.client("Viewer")
    assert 'data-follow="true"' in client.get(_url(run_id)).text
    answer = client.get(_url(run_id) + "/log?try=1").json()
    assert answer["running"] is True and answer["found"] is False


def test_a_log_on_another_machine_comes_from_that_workers_log_server(
    dash: Dash, tmp_path: Path
) -> None:
    from worker.log_server import LogServer

    run_id = dash.trigger(DAG)
    _ran(dash, run_id, "extract", "success")
    remote = tmp_path / "remote-logs"
    path = try_log_path(remote, TryKey(DAG, run_id, "extract", -1, 1))
    path.parent.mkdir(parents=True)
    path.write_text("from the other machine\n")
    server = LogServer(
        base_log_folder=str(remote),
        secret_key=dash.settings.core.secret_key,
        host="127.0.0.1",
        port=0,
    )
    server.start()
    try:
        with dash.session() as session:
            session.add(
                Worker(
                    name="far",
                    hostname="far-host",
                    log_server_url=f"http://127.0.0.1:{server.port}",
                )
            )
            session.execute(TaskInstance.__table__.update().values(worker_name="far"))
            from tradewind.metastore.models import TaskTry

            session.execute(TaskTry.__table__.update().values(worker_name="far"))
        html = dash.client("Viewer").get(_url(run_id)).text
    finally:
        server.stop()
    assert "from the other machine" in html.split('id="log"')[1]


def test_clear_with_downstream_resets_the_task_and_its_downstream(dash: Dash) -> None:
    run_id = dash.trigger(DAG)
    _ran(dash, run_id, "extract", "failed")
    with dash.session() as session:
        transitions.set_task_state(
            session, TaskInstanceKey(DAG, run_id, "load"), "upstream_failed", expected=["none"]
        )
    client = dash.client("User")
    answer = dash.post(client, _url(run_id) + "/clear", {"downstream": "true", "map_index": "-1"})
    assert answer.status_code == 303
    assert "Cleared 4 task instance(s)" in client.get(answer.headers["location"]).text
    assert _state(dash, run_id, "extract") == ("none", 1)
    assert _state(dash, run_id, "load") == ("none", 0)


def test_run_clears_only_this_task(dash: Dash) -> None:
    run_id = dash.trigger(DAG)
    _ran(dash, run_id, "extract", "failed")
    _ran(dash, run_id, "load", "failed")
    client = dash.client("User")
    assert dash.post(client, _url(run_id) + "/run").status_code == 303
    assert _state(dash, run_id, "extract")[0] == "none"
    assert _state(dash, run_id, "load")[0] == "failed"


def test_mark_success_and_mark_failed(dash: Dash) -> None:
    run_id = dash.trigger(DAG)
    client = dash.client("User")
    dash.post(client, _url(run_id) + "/success")
    assert _state(dash, run_id, "extract")[0] == "success"
    dash.post(client, _url(run_id, "load") + "/failed")
    assert _state(dash, run_id, "load")[0] == "failed"


def test_a_viewer_is_refused_every_task_action_and_nothing_changes(dash: Dash) -> None:
    run_id = dash.trigger(DAG)
    _ran(dash, run_id, "extract", "failed")
    client = dash.client("Viewer")
    for action in ("clear", "run", "success", "failed"):
        assert dash.post(client, _url(run_id) + f"/{action}").status_code == 403, action
    for action in ("success", "failed", "clear", "delete"):
        answer = dash.post(client, f"/dags/{DAG}/runs/{quote(run_id, safe='')}/{action}")
        assert answer.status_code == 403, action
    assert _state(dash, run_id, "extract") == ("failed", 1)
    with dash.session() as session:
        assert session.scalar(select(DagRun.state)) == "queued"


def test_a_user_marks_a_run_and_deletes_it(dash: Dash) -> None:
    run_id = dash.trigger(DAG)
    client = dash.client("User")
    run_url = f"/dags/{DAG}/runs/{quote(run_id, safe='')}"
    assert dash.post(client, run_url + "/success").status_code == 303
    with dash.session() as session:
        assert session.scalar(select(DagRun.state)) == "success"
    assert _state(dash, run_id, "load")[0] == "success"
    answer = dash.post(client, run_url + "/delete")
    assert answer.headers["location"] == f"/dags/{DAG}"
    with dash.session() as session:
        assert session.scalars(select(DagRun)).all() == []
    assert client.get(run_url).status_code == 404


def test_clear_with_past_or_future_reaches_the_same_task_in_earlier_or_later_runs(
    dash: Dash,
) -> None:
    first, middle, last = (dash.trigger(DAG, logical_date=dash.at(day)) for day in (1, 2, 3))
    for run_id in (first, middle, last):
        _ran(dash, run_id, "extract", "failed")
    client = dash.client("User")
    page = client.get(_url(middle)).text
    assert 'name="past"' in page and 'name="future"' in page
    dash.post(client, _url(middle) + "/clear", {"past": "true", "map_index": "-1"})
    assert [_state(dash, r, "extract")[0] for r in (first, middle, last)] == [
        "none",
        "none",
        "failed",
    ]
    _ran(dash, first, "extract", "failed")
    dash.post(client, _url(last) + "/clear", {"future": "true", "map_index": "-1"})
    assert [_state(dash, r, "extract")[0] for r in (first, middle, last)] == [
        "failed",
        "none",
        "none",
    ]


def test_mark_success_with_future_marks_the_task_in_later_runs_too(dash: Dash) -> None:
    first, middle, last = (dash.trigger(DAG, logical_date=dash.at(day)) for day in (1, 2, 3))
    client = dash.client("User")
    form = client.get(_url(middle)).text.split('id="mark-success"')[0].rsplit("<form", 1)[1]
    assert 'name="future"' in form
    dash.post(client, _url(middle) + "/success", {"future": "true", "map_index": "-1"})
    assert [_state(dash, r, "extract")[0] for r in (first, middle, last)] == [
        "none",
        "success",
        "success",
    ]
