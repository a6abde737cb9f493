"""Workers (online/offline, drain, resume, queues), queues and the fleet's throughput."""

from __future__ import annotations

from datetime import timedelta

import pytest


def _workers(api) -> None:
    from tradewind.metastore.models import Worker, utcnow

    with api.metastore.session() as session:
        session.add(Worker(name="w1", hostname="h1", queues="default,high_cpu", concurrency=4))
        session.add(
            Worker(
                name="w2",
                hostname="h2",
                queues="default",
                last_heartbeat=utcnow() - timedelta(minutes=5),
            )
        )


def test_workers_are_online_or_offline_by_heartbeat_age(api):
    _workers(api)
    body = api.client("Viewer").get("/api/v1/workers").json()
    state = {w["name"]: (w["online"], w["status"]) for w in body["workers"]}
    assert state == {"w1": (True, "online"), "w2": (False, "offline")}
    assert body["workers"][0]["queues"] == ["default", "high_cpu"]


def test_op_drains_resumes_and_resubscribes_a_worker(api):
    _workers(api)
    client = api.client("Op")
    assert client.post("/api/v1/workers/w1/drain").json()["drain_requested"] is True
    assert client.post("/api/v1/workers/w1/resume").json()["drain_requested"] is False
    answer = client.put("/api/v1/workers/w1/queues", json={"queues": ["spark", "default"]})
    assert answer.status_code == 200 and answer.json()["wanted_queues"] == ["spark", "default"]
    assert client.patch("/api/v1/workers/w1/queues", json={"queues": ["a"]}).status_code == 200


def test_a_user_may_not_drain_a_worker(sqlite_api):
    from tradewind.metastore.models import Worker

    _workers(sqlite_api)
    assert sqlite_api.client("User").post("/api/v1/workers/w1/drain").status_code == 403
    with sqlite_api.metastore.session() as session:
        assert session.query(Worker).filter_by(name="w1").one().drain_requested is False


@pytest.mark.parametrize(
    "body", [{"queues": []}, {"queues": ["bad name!"]}, {"queues": "default"}, {}]
)
def test_bad_queue_lists_are_400(sqlite_api, body):
    _workers(sqlite_api)
    answer = sqlite_api.client("Op").put("/api/v1/workers/w1/queues", json=body)
    assert answer.status_code == 400 and answer.json()["message"]


def test_unknown_worker_is_404(sqlite_api):
    assert sqlite_api.client("Op").post("/api/v1/workers/nope/drain").status_code == 404


def test_queue_depth_comes_from_queued_task_instances_with_the_memory_broker(api):
    from tradewind.metastore.models import utcnow

    _workers(api)
    run_id = api.trigger("api_etl")
    api.set_state("api_etl", run_id, "extract", "scheduled")
    api.set_state("api_etl", run_id, "extract", "queued", queued_at=utcnow())
    queues = {q["queue"]: q for q in api.client("Viewer").get("/api/v1/queues").json()["queues"]}
    assert queues["high_cpu"]["depth"] == 1 and queues["high_cpu"]["consumers"] == 1
    assert queues["high_cpu"]["enqueued_per_min"] > 0
    assert queues["default"]["consumers"] == 1  # w2 is offline
    assert queues["high_cpu"]["source"] == "metastore"


@pytest.mark.parametrize("url", ["redis://127.0.0.1:6379/14", "amqp://guest:guest@127.0.0.1:5672"])
def test_queue_numbers_come_from_a_real_broker(sqlite_api, url):
    sqlite_api.settings.broker.url = url
    body = sqlite_api.client("Viewer").get("/api/v1/queues").json()
    assert body["broker_error"] is None
    default = next(q for q in body["queues"] if q["queue"] == "default")
    assert default["source"] == "broker" and default["depth"] >= 0


def test_fleet_stats_bucket_finished_tries_per_minute(api):
    from tradewind.metastore.models import TaskTry, utcnow

    now = utcnow()
    with api.metastore.session() as session:
        for number, (state, ago) in enumerate(
            [("success", 0), ("success", 0), ("failed", 0), ("up_for_retry", 2), ("success", 90)]
        ):
            session.add(
                TaskTry(
                    dag_id="api_etl",
                    run_id="r",
                    task_id="extract",
                    try_number=number + 1,
                    state=state,
                    queue="default",
                    end_date=now - timedelta(minutes=ago),
                    duration=1.0,
                )
            )
    body = api.client("Viewer").get("/api/v1/fleet/stats?minutes=10").json()
    assert len(body["buckets"]) == 10
    minutes = {b["minute"]: b for b in body["buckets"]}
    this = minutes[now.replace(second=0, microsecond=0).isoformat()]
    assert (this["success"], this["failed"], this["failure_rate"]) == (2, 1, 33.33)
    two_ago = (now - timedelta(minutes=2)).replace(second=0, microsecond=0).isoformat()
    assert minutes[two_ago]["failed"] == 1
    assert body["failure_rate"] == 50.0  # 2 of the 4 tries in the window failed
