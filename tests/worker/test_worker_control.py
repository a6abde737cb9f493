"""The dashboard's requests through the worker row: drain, resume, queues; and SIGTERM."""

from __future__ import annotations

from sqlalchemy import select, update

from broker_config.factory import build_broker
from broker_config.routing import Router, publish
from tradewind.metastore.models import Worker

URL = "amqp://guest:guest@127.0.0.1:5672/"


def _publish(harness, *tries) -> None:
    broker = build_broker(URL)
    router = Router.from_settings(harness.settings)
    publish(broker, [router.message(key, queue) for key, queue in tries])
    broker.close()


def _row(harness, name: str) -> Worker:
    with harness.metastore.session() as session:
        return session.execute(select(Worker).where(Worker.name == name)).scalar_one()


def _ask(harness, name: str, **values) -> None:
    with harness.metastore.session() as session:
        session.execute(update(Worker).where(Worker.name == name).values(**values))


def test_the_worker_registers_and_heartbeats_its_row(harness, start_worker, wait) -> None:
    worker = start_worker(URL, ["default", "other"], concurrency=3)
    name = worker.process.identity.name
    row = _row(harness, name)
    assert (row.queues, row.concurrency, row.status) == ("default,other", 3, "online")
    assert row.log_server_url and row.log_server_url.startswith("http://")
    first = row.last_heartbeat
    wait(lambda: _row(harness, name).last_heartbeat > first, what="a heartbeat")
    worker.stop()
    assert _row(harness, name).status == "offline"


def test_drain_stops_taking_tries_and_resume_takes_them_again(
    harness, start_worker, wait, stays
) -> None:
    worker = start_worker(URL, ["default"])
    name = worker.process.identity.name
    _ask(harness, name, drain_requested=True)
    wait(lambda: _row(harness, name).status == "draining", what="draining")
    key = harness.queue(harness.new_run(), "quick")
    _publish(harness, (key, "default"))
    # a (wrongly) consuming worker would claim it within this window
    stays(lambda: harness.state(key) == "queued", 2.0, "the try staying queued while draining")
    _ask(harness, name, drain_requested=False)
    wait(lambda: harness.state(key) == "success", what="the try after resume")
    wait(lambda: _row(harness, name).status == "online", what="the row back online")


def test_wanted_queues_subscribe_and_unsubscribe_without_restart(
    harness, start_worker, wait, stays
) -> None:
    worker = start_worker(URL, ["default"])
    name = worker.process.identity.name
    run_id = harness.new_run()
    other = harness.queue(run_id, "other")
    _publish(harness, (other, "other"))
    _ask(harness, name, wanted_queues="default,other")
    wait(lambda: harness.state(other) == "success", what="the try on the new queue")
    wait(lambda: _row(harness, name).wanted_queues is None, what="the request to be applied")
    assert _row(harness, name).queues == "default,other"
    _ask(harness, name, wanted_queues="other")
    wait(lambda: _row(harness, name).queues == "other", what="unsubscribing default")
    quick = harness.queue(run_id, "quick")
    _publish(harness, (quick, "default"))
    stays(lambda: harness.state(quick) == "queued", 2.0, "the try on the dropped queue")


def test_stop_hands_a_running_try_back_to_the_scheduler(harness, start_worker, wait) -> None:
    worker = start_worker(URL, ["default"])
    worker.process.settings.worker.drain_grace_period = 0.5
    key = harness.queue(harness.new_run(), "long")
    _publish(harness, (key, "default"))
    wait(lambda: harness.state(key) == "running", what="the long try to start")
    worker.process.request_stop()
    worker.thread.join(60)
    assert not worker.thread.is_alive()
    ti = harness.ti(key.ti_key)
    assert (ti.state, ti.try_number) == ("scheduled", 1)


def test_no_more_than_c_tries_run_at_once(harness, start_worker, wait) -> None:
    worker = start_worker(URL, ["default"], concurrency=2)
    peak = 0
    keys = [harness.queue(harness.new_run(), "slow") for _ in range(4)]
    _publish(harness, *[(k, "default") for k in keys])

    def all_done() -> bool:
        nonlocal peak
        peak = max(peak, len(worker.process.tracker))
        return all(harness.state(k) == "success" for k in keys)

    wait(all_done, timeout=60, what="the four slow tries")
    assert peak == 2
