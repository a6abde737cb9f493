"""Browse pages: DAG runs, task instances, XComs and dataset events, filtered, paginated and
escaped."""

from __future__ import annotations

from typing import TYPE_CHECKING

from tradewind.core.keys import TaskInstanceKey
from tradewind.metastore.models import Dataset, DatasetEvent
from tradewind.metastore.xcoms import push_xcom

if TYPE_CHECKING:
    from tests.dashboard.conftest import Dash

XSS = "<script>alert('x')</script>"


def test_runs_are_listed_newest_first_filtered_by_dag_and_state_and_paginated(
    sqlite_dash: Dash,
) -> None:
    dash = sqlite_dash
    for day in range(1, 4):
        dash.trigger("dash_pipeline", logical_date=dash.at(day))
    dash.trigger("dash_simple", logical_date=dash.at(1))
    client = dash.client("Viewer")
    html = client.get("/browse/runs?dag_id=dash_pipeline&limit=2").text
    assert "2024-03-03" in html and "2024-03-02" in html and "2024-03-01" not in html
    assert "dash_simple" not in html.split("<table")[1]
    assert "offset=2" in html  # a link to the next page
    assert "2024-03-01" in client.get("/browse/runs?dag_id=dash_pipeline&limit=2&offset=2").text
    assert "No DAG runs" in client.get("/browse/runs?state=failed").text or (
        "dash_pipeline" not in client.get("/browse/runs?state=failed").text.split("<table")[1]
    )


def test_task_instances_filter_by_dag_run_and_state_with_links(sqlite_dash: Dash) -> None:
    dash = sqlite_dash
    run_id = dash.trigger("dash_pipeline")
    dash.trigger("dash_simple")
    client = dash.client("Viewer")
    html = client.get(
        "/browse/task-instances", params={"dag_id": "dash_pipeline", "run_id": run_id}
    ).text
    table = html.split("<table")[1]
    for task_id in ("extract", "transform.clean", "transform.join", "load"):
        assert f">{task_id}</a>" in table
    assert "dash_simple" not in table
    none_of_them = client.get("/browse/task-instances?dag_id=dash_pipeline&state=failed").text
    assert "No task instances." in none_of_them


def test_xcoms_are_previewed_redacted_and_escaped(sqlite_dash: Dash) -> None:
    dash = sqlite_dash
    run_id = dash.trigger("dash_pipeline")
    key = TaskInstanceKey("dash_pipeline", run_id, "extract")
    with dash.session() as session:
        push_xcom(session, key, "return_value", {"html": XSS}, max_size=10_000)
        push_xcom(session, key, "api_password", "hunter2", max_size=10_000)
    html = dash.client("Viewer").get("/browse/xcoms?dag_id=dash_pipeline").text
    assert XSS not in html and "&lt;script&gt;" in html
    assert "hunter2" not in html and "***" in html


def test_dataset_events_show_the_uri_the_source_and_the_extra(sqlite_dash: Dash) -> None:
    dash = sqlite_dash
    run_id = dash.trigger("dash_pipeline")
    with dash.session() as session:
        dataset = Dataset(uri="s3://bucket/orders")
        session.add(dataset)
        session.flush()
        session.add(
            DatasetEvent(
                dataset_id=dataset.id,
                source_dag_id="dash_pipeline",
                source_run_id=run_id,
                source_task_id="load",
                extra={"rows": XSS},
            )
        )
    html = dash.client("Viewer").get("/browse/dataset-events?uri=s3://bucket/orders").text
    assert "s3://bucket/orders" in html and "dash_pipeline · load" in html
    assert XSS not in html and "&lt;script&gt;" in html
