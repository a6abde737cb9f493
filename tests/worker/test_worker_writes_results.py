"""What a try leaves in Postgres when a worker runs it: state, XCom, rendered templates, dataset
events, its log; the scheduler's wake-up; and an execution_timeout that kills the task."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import select

from broker_config.factory import build_broker
from broker_config.routing import Router, publish
from tradewind.metastore.models import Dataset, DatasetEvent
from tradewind.metastore.xcoms import pull_xcom
from tradewind.runtime.task_log import try_log_path

URL = "amqp://guest:guest@127.0.0.1:5672/"


def _publish(harness, key, queue: str = "default") -> None:
    broker = build_broker(URL)
    try:
        publish(broker, [Router.from_settings(harness.settings).message(key, queue)])
    finally:
        broker.close()


def _processes_running(needle: str) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            cmdline = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode()
            status = (entry / "stat").read_text().split()[2]
        except OSError:
            continue
        if needle in cmdline and status != "Z":
            found.append(int(entry.name))
    return found


def test_the_worker_writes_xcom_rendered_fields_dataset_events_and_the_log(
    harness, start_worker, wait
) -> None:
    start_worker(URL, ["default"])
    key = harness.queue(harness.new_run(), "templated")
    _publish(harness, key)
    wait(lambda: harness.state(key) in ("success", "failed"), what="the templated try")
    ti = harness.ti(key.ti_key)
    assert ti.state == "success", ti
    today = datetime.now(UTC).strftime("%Y%m%d")
    expected = f"rendered-{today}-templated"
    assert expected in str(ti.rendered_fields["bash_command"])
    with harness.metastore.session() as session:
        assert pull_xcom(session, "wk", key.run_id, "templated") == expected
        events = session.execute(
            select(Dataset.uri)
            .join(DatasetEvent, DatasetEvent.dataset_id == Dataset.id)
            .where(DatasetEvent.source_run_id == key.run_id)
        ).all()
    assert [e.uri for e in events] == ["s3://worker-test/out"]
    log = try_log_path(harness.settings.logging.base_log_folder, key)
    assert expected in log.read_text()


def test_a_success_wakes_the_scheduler_through_postgres_notify(harness, start_worker, wait) -> None:
    from tradewind.metastore.wakeup import open_listener

    start_worker(URL, ["default"])
    key = harness.queue(harness.new_run(), "quick")
    listener = open_listener(harness.metastore)
    try:
        listener.drain()
        _publish(harness, key)
        wait(lambda: harness.state(key) == "success", what="the try")
        assert wait(listener.drain, timeout=5, what="a NOTIFY from the worker") >= 1
    finally:
        listener.close()


@pytest.mark.timeout(60)
def test_execution_timeout_fails_the_try_and_kills_its_bash_process(
    harness, start_worker, wait
) -> None:
    worker = start_worker(URL, ["default"])
    key = harness.queue(harness.new_run(), "bash_timeout")
    _publish(harness, key)
    wait(lambda: _processes_running("sleep 30.4321"), what="the sleep to start")
    wait(lambda: harness.state(key) == "failed", timeout=25, what="the timeout to fail it")
    history = harness.ti(key.ti_key)
    assert history.try_number == 1
    wait(lambda: not _processes_running("sleep 30.4321"), timeout=10, what="the sleep to die")
    log = try_log_path(harness.settings.logging.base_log_folder, key).read_text()
    assert "timed out" in log.lower() or "timeout" in log.lower(), log[-2000:]
    assert worker.thread.is_alive()
