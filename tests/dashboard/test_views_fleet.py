"""The fleet monitor page: workers online/offline by heartbeat age, queues, and the per-worker
actions written to the worker's row (Op role)."""

from __future__ import annotations

from datetime import timedelta
from typing import TYPE_CHECKING

from sqlalchemy import select

from tradewind.metastore.models import Worker, utcnow

if TYPE_CHECKING:
    from tests.dashboard.conftest import Dash


def _workers(dash: Dash) -> None:
    now = utcnow()
    with dash.session() as session:
        session.add(
            Worker(
                name="w-fresh",
                hostname="h1",
                queues="default,high_cpu",
                concurrency=4,
                last_heartbeat=now,
            )
        )
        session.add(
            Worker(
                name="w-stale",
                hostname="h2",
                queues="reports",
                last_heartbeat=now - timedelta(minutes=5),
            )
        )


def _row(dash: Dash, name: str) -> Worker:
    with dash.session() as session:
        worker = session.scalar(select(Worker).where(Worker.name == name))
        session.expunge(worker)
        return worker


def test_workers_show_online_or_offline_and_queues_count_consumers(sqlite_dash: Dash) -> None:
    dash = sqlite_dash
    _workers(dash)
    client = dash.client("Viewer")
    html = client.get("/fleet").text
    fresh = html.split('data-worker="w-fresh"')[1].split("</tr>")[0]
    stale = html.split('data-worker="w-stale"')[1].split("</tr>")[0]
    assert "status-online" in fresh and "default, high_cpu" in fresh
    assert "status-offline" in stale
    assert "Drain" not in fresh  # a Viewer gets no action buttons
    data = client.get("/fleet/data.json").json()
    queues = {q["queue"]: q for q in data["queues"]}
    assert queues["high_cpu"]["consumers"] == 1 and queues["reports"]["consumers"] == 0
    assert len(data["stats"]) == 30


def test_drain_resume_and_queue_changes_write_the_worker_row(sqlite_dash: Dash) -> None:
    dash = sqlite_dash
    _workers(dash)
    client = dash.client("Op")
    dash.post(client, "/fleet/workers/w-fresh/drain")
    assert _row(dash, "w-fresh").drain_requested is True
    dash.post(client, "/fleet/workers/w-fresh/resume")
    assert _row(dash, "w-fresh").drain_requested is False
    dash.post(client, "/fleet/workers/w-fresh/subscribe", {"queue": "gpu"})
    assert _row(dash, "w-fresh").wanted_queues == "default,high_cpu,gpu"
    dash.post(client, "/fleet/workers/w-fresh/unsubscribe", {"queue": "default"})
    assert _row(dash, "w-fresh").wanted_queues == "high_cpu,gpu"
    bad = dash.post(client, "/fleet/workers/w-stale/unsubscribe", {"queue": "reports"})
    assert "at least one queue" in client.get(bad.headers["location"]).text
    assert _row(dash, "w-stale").wanted_queues is None


def test_a_viewer_cannot_drain_a_worker(sqlite_dash: Dash) -> None:
    dash = sqlite_dash
    _workers(dash)
    client = dash.client("Viewer")
    assert dash.post(client, "/fleet/workers/w-fresh/drain").status_code == 403
    assert _row(dash, "w-fresh").drain_requested is False


def test_the_page_shows_the_apis_fleet_numbers_with_running_tries_and_the_default_queue(
    sqlite_dash: Dash,
) -> None:
    from tradewind.core.keys import TaskInstanceKey
    from tradewind.metastore.models import TaskInstance
    from tradewind.metastore.transitions import set_task_state

    dash = sqlite_dash
    _workers(dash)
    run_id = dash.trigger("dash_pipeline")
    with dash.session() as session:
        task_id = session.scalar(
            select(TaskInstance.task_id).where(TaskInstance.run_id == run_id).limit(1)
        )
        key = TaskInstanceKey("dash_pipeline", run_id, task_id)
        assert set_task_state(session, key, "scheduled", expected=["none"], increment_try=True)
        assert set_task_state(session, key, "queued", expected=["scheduled"], queued_at=utcnow())
        assert set_task_state(session, key, "running", expected=["queued"], worker_name="w-fresh")
    client = dash.client("Viewer")
    page = client.get("/fleet/data.json").json()
    assert page["queues"] == client.get("/api/v1/queues").json()["queues"]
    assert dash.settings.broker.default_queue in {q["queue"] for q in page["queues"]}
    api_workers = client.get("/api/v1/workers").json()["workers"]
    assert [w["running"] for w in page["workers"]] == [w["running"] for w in api_workers]
    fresh = next(w for w in page["workers"] if w["name"] == "w-fresh")
    assert [r["task_id"] for r in fresh["running"]] == [task_id]
    buckets = page["stats"]
    assert {"enqueued", "completed", "failure_rate"} <= set(buckets[-1])
    assert sum(b["enqueued"] for b in buckets) == 1
    html = client.get("/fleet").text
    assert f">dash_pipeline.{task_id}</a>" in html
    assert 'id="enqueued-chart"' in html and 'id="completed-chart"' in html
