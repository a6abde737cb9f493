"""A try on the local executor whose state is set from outside is terminated by its heartbeat."""

from __future__ import annotations

import os
from typing import Any

from tradewind.core.keys import TaskInstanceKey
from tradewind.core.states import TaskState
from tradewind.metastore.transitions import set_task_state

LONG_DAG = """
import os, time
from datetime import datetime
from tradewind import DAG
from tradewind.operators.python import PythonOperator

def _long():
    with open({pid_file!r}, "w") as f:
        f.write(str(os.getpid()))
    time.sleep(30)

with DAG(dag_id="exec_long", schedule=None, start_date=datetime(2024, 1, 1)):
    PythonOperator(task_id="long", python_callable=_long)
"""


def _gone(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except OSError:
        return True
    with open(f"/proc/{pid}/stat") as stat:  # a zombie waiting for its parent is gone too
        return stat.read().rsplit(")", 1)[1].split()[0] == "Z"


def test_a_try_marked_failed_from_outside_is_terminated_and_stays_failed(
    harness: Any, tmp_path: Any
) -> None:
    from pathlib import Path

    pid_file = tmp_path / "pid"
    folder = Path(harness.settings.core.dags_folder)
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "exec_long.py").write_text(LONG_DAG.format(pid_file=str(pid_file)))
    harness.settings.worker.heartbeat_interval = 0.2
    sched = harness.scheduler("local")
    sched.run_once()
    run_id = harness.trigger("exec_long")
    harness.run_until(sched, lambda: pid_file.exists() and pid_file.read_text(), timeout=60)
    pid = int(pid_file.read_text())
    key = TaskInstanceKey("exec_long", run_id, "long", -1)
    with harness.metastore.session() as session:
        assert set_task_state(session, key, TaskState.FAILED, expected=[TaskState.RUNNING])
    harness.run_until(sched, lambda: _gone(pid), timeout=8)
    harness.run_until(sched, lambda: harness.all_runs_done("exec_long"), timeout=10)
    assert [t.state for t in harness.tis("exec_long")] == ["failed"]
