"""/api/v1/health without a login, and /metrics in Prometheus' text format."""

from __future__ import annotations

from datetime import timedelta


def _scheduler(api, age: timedelta, loop: float = 0.25) -> None:
    from tradewind.metastore.models import SchedulerJob, utcnow

    with api.metastore.session() as session:
        session.add(
            SchedulerJob(hostname="s1", pid=7, last_heartbeat=utcnow() - age, loop_duration=loop)
        )


def test_health_reports_metastore_and_a_live_scheduler(api):
    _scheduler(api, timedelta(seconds=2))
    body = api.client(None).get("/api/v1/health").json()
    assert body["metadatabase"]["status"] == "healthy"
    assert body["scheduler"]["status"] == "healthy"
    assert body["scheduler"]["latest_scheduler_heartbeat"]
    assert body["broker"]["status"] == "healthy"


def test_health_reports_a_stale_scheduler_unhealthy(sqlite_api):
    _scheduler(sqlite_api, timedelta(minutes=5))
    body = sqlite_api.client(None).get("/api/v1/health").json()
    assert body["scheduler"]["status"] == "unhealthy"


def test_health_reports_an_unreachable_broker_unhealthy(sqlite_api):
    sqlite_api.settings.broker.url = "redis://127.0.0.1:1/0"
    body = sqlite_api.client(None).get("/api/v1/health").json()
    assert body["broker"]["status"] == "unhealthy" and body["broker"]["error"]


def _families(text: str) -> dict:
    from prometheus_client.parser import text_string_to_metric_families

    return {family.name: family for family in text_string_to_metric_families(text)}


def test_metrics_parse_and_carry_every_family(api):
    from tradewind.metastore.models import TaskTry, Worker, utcnow

    run_id = api.trigger("api_etl")
    api.set_state("api_etl", run_id, "extract", "success")
    _scheduler(api, timedelta(seconds=1), loop=0.5)
    with api.metastore.session() as session:
        session.add(Worker(name="w1", queues="default"))
        for number, duration in enumerate((0.5, 3.0, 45.0)):
            session.add(
                TaskTry(
                    dag_id="api_etl",
                    run_id=run_id,
                    task_id="extract",
                    try_number=number + 1,
                    state="success",
                    end_date=utcnow(),
                    duration=duration,
                )
            )
    answer = api.client(None).get("/metrics")
    assert answer.status_code == 200 and answer.headers["content-type"].startswith("text/plain")
    families = _families(answer.text)

    def value(name: str, **labels: str) -> float:
        return next(
            s.value
            for s in families[name].samples
            if s.name == name and all(s.labels.get(k) == v for k, v in labels.items())
        )

    assert value("tradewind_task_instances", state="success") == 1
    assert value("tradewind_task_instances", state="none") == 5
    assert value("tradewind_dag_runs", state="queued") == 1
    assert value("tradewind_workers", status="online") == 1
    assert value("tradewind_queue_depth", queue="default") == 0
    assert value("tradewind_scheduler_loop_duration_seconds", hostname="s1") == 0.5
    durations = {
        s.labels["le"]: s.value
        for s in families["tradewind_task_duration_seconds"].samples
        if s.name.endswith("_bucket")
    }
    assert (durations["1.0"], durations["5.0"], durations["60.0"], durations["+Inf"]) == (
        1,
        2,
        3,
        3,
    )


def test_each_app_has_its_own_registry(sqlite_api):
    from dashboard.app import create_app
    from dashboard.metrics import registry_for

    other = create_app(sqlite_api.settings, sqlite_api.metastore)
    sqlite_api.client(None).get("/metrics")
    assert registry_for(other.state) is not registry_for(sqlite_api.app.state)
