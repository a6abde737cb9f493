"""The worker's row (every field the dashboard lists) and ``--processes N``."""

from __future__ import annotations

import os
import signal
import subprocess
import sys

from sqlalchemy import select

from broker_config.factory import build_broker
from broker_config.routing import Router, publish
from tradewind.metastore.models import Worker

URL = "amqp://guest:guest@127.0.0.1:5672/"


def _publish(harness, *keys) -> None:
    broker = build_broker(URL)
    router = Router.from_settings(harness.settings)
    try:
        publish(broker, [router.message(key, "default") for key in keys])
    finally:
        broker.close()


def _rows(harness) -> dict[str, Worker]:
    with harness.metastore.session() as session:
        return {w.name: w for w in session.execute(select(Worker)).scalars()}


def _release(harness) -> None:
    (harness.dag_file.parent.parent / "release").touch()


def test_the_row_has_every_field_and_counts_the_tries_running(harness, start_worker, wait) -> None:
    from worker.main import _version

    worker = start_worker(URL, ["default", "other"], concurrency=3)
    name = worker.process.identity.name
    row = _rows(harness)[name]
    assert row.hostname == harness.settings.core.hostname
    assert row.pid == os.getpid()
    assert (row.queues, row.concurrency, row.version) == ("default,other", 3, _version())
    assert row.started_at is not None and row.last_heartbeat >= row.started_at
    assert row.tries_running == 0
    key = harness.queue(harness.new_run(), "held")
    _publish(harness, key)
    wait(lambda: _rows(harness)[name].tries_running == 1, what="tries_running to count it")
    _release(harness)
    wait(lambda: harness.state(key) == "success", what="the held try to end")
    wait(lambda: _rows(harness)[name].tries_running == 0, what="tries_running back to 0")


def test_processes_two_with_c_one_run_two_tries_at_once_and_both_register(
    harness, wait, monkeypatch
) -> None:
    monkeypatch.setenv("TRADEWIND__BROKER__URL", URL)
    parent = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "tradewind.cli.main",
            "worker",
            "-q",
            "default",
            "-c",
            "1",
            "--processes",
            "2",
            "--hostname",
            "multi",
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        wait(
            lambda: (
                {"multi-1", "multi-2"}
                <= {n for n, w in _rows(harness).items() if w.status == "online"}
            ),
            timeout=60,
            what="both processes to register",
        )
        rows = _rows(harness)
        assert rows["multi-1"].pid != rows["multi-2"].pid
        assert rows["multi-1"].concurrency == rows["multi-2"].concurrency == 1
        run_id = harness.new_run()
        first, second = harness.queue(run_id, "held"), harness.queue(harness.new_run(), "held")
        _publish(harness, first, second)
        wait(
            lambda: harness.state(first) == harness.state(second) == "running",
            timeout=30,
            what="both held tries running at once",
        )
        names = {harness.ti(first.ti_key).worker_name, harness.ti(second.ti_key).worker_name}
        assert names == {"multi-1", "multi-2"}
        _release(harness)
        wait(lambda: harness.state(first) == harness.state(second) == "success", what="both")
    finally:
        parent.send_signal(signal.SIGTERM)
        try:
            assert parent.wait(30) == 0
        finally:
            if parent.poll() is None:
                parent.kill()
    wait(
        lambda: all(_rows(harness)[n].status == "offline" for n in ("multi-1", "multi-2")),
        timeout=10,
        what="both processes to mark themselves offline",
    )
