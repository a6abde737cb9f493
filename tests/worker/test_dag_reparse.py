"""A worker parses a DAG file once, and again only when the file changed."""

from __future__ import annotations

import os

from broker_config.factory import build_broker
from broker_config.routing import Router, publish
from tradewind.metastore.xcoms import pull_xcom

URL = "amqp://guest:guest@127.0.0.1:5672/"


def _run_quick(harness, wait) -> object:
    key = harness.queue(harness.new_run(), "quick")
    broker = build_broker(URL)
    try:
        publish(broker, [Router.from_settings(harness.settings).message(key, "default")])
    finally:
        broker.close()
    wait(lambda: harness.state(key) == "success", what="quick to succeed")
    with harness.metastore.session() as session:
        return pull_xcom(session, "wk", key.run_id, "quick")


def test_the_dag_file_is_parsed_once_and_again_only_after_it_changed(
    harness, start_worker, wait
) -> None:
    worker = start_worker(URL, ["default"], concurrency=1)
    cache = worker.process.runner.dag_cache
    assert _run_quick(harness, wait) == 0
    assert _run_quick(harness, wait) == 0
    assert cache.imports == 1

    # touched but identical: the content hash says nothing changed
    stat = os.stat(harness.dag_file)
    os.utime(harness.dag_file, ns=(stat.st_atime_ns, stat.st_mtime_ns + 1_000_000_000))
    assert _run_quick(harness, wait) == 0
    assert cache.imports == 1

    source = harness.dag_file.read_text()
    changed = source.replace(
        'task_id="quick", python_callable=_sleep, op_args=[0]',
        'task_id="quick", python_callable=_sleep, op_args=[0.001]',
    )
    assert changed != source
    harness.dag_file.write_text(changed)
    stat = os.stat(harness.dag_file)
    os.utime(harness.dag_file, ns=(stat.st_atime_ns, stat.st_mtime_ns + 2_000_000_000))
    assert _run_quick(harness, wait) == 0.001  # the new code ran
    assert cache.imports == 2
