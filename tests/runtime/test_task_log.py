"""The try log: path layout, prints and logging captured per thread, secrets masked."""

from __future__ import annotations

import logging
import sys
import threading

from tradewind.core.keys import TryKey
from tradewind.runtime.secrets_masker import mask_secret, reset_secrets
from tradewind.runtime.task_log import open_try_log, try_log_relpath


def test_the_path_mirrors_airflow_with_map_index_only_for_mapped_tasks():
    assert (
        try_log_relpath(TryKey("d", "r", "t", -1, 2)) == "dag_id=d/run_id=r/task_id=t/attempt=2.log"
    )
    assert try_log_relpath(TryKey("d", "r", "t", 3, 1)) == (
        "dag_id=d/run_id=r/task_id=t/map_index=3/attempt=1.log"
    )


def test_prints_and_log_records_of_the_try_land_in_its_file_masked(tmp_path):
    mask_secret("very-secret-value")
    try:
        with open_try_log(tmp_path, TryKey("d", "r", "t", -1, 1)) as try_log:
            print("printed very-secret-value")
            print("partial", end="")
            sys.stderr.write("to stderr\n")
            logging.getLogger("user.module").info("user logging works")
            logging.getLogger("tradewind.task").warning("a warning")
        text = try_log.path.read_text()
    finally:
        reset_secrets()
    assert "printed ***" in text and "very-secret" not in text
    assert "partial" in text and "to stderr" in text
    assert "INFO - user logging works" in text and "WARNING - a warning" in text
    assert sys.stdout is not None and "Routed" not in type(sys.stdout).__name__


def test_concurrent_tries_in_threads_each_get_only_their_own_lines(tmp_path):
    barrier = threading.Barrier(2)
    paths = {}

    def run(name: str) -> None:
        with open_try_log(tmp_path, TryKey("d", "r", name, -1, 1)) as try_log:
            barrier.wait()
            for i in range(20):
                print(f"{name} line {i}")
            barrier.wait()
        paths[name] = try_log.path

    threads = [threading.Thread(target=run, args=(n,)) for n in ("a", "b")]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=10)
    a, b = paths["a"].read_text(), paths["b"].read_text()
    assert a.count("a line") == 20 and "b line" not in a
    assert b.count("b line") == 20 and "a line" not in b
