"""DAG-level callbacks when a run finishes, and tries handed back when a scheduler stops."""

from __future__ import annotations

from pathlib import Path
from typing import Any


def test_dag_callbacks_run_once_when_the_run_succeeds_or_fails(
    harness: Any, tmp_path: Path, monkeypatch: Any
) -> None:
    marks = tmp_path / "marks.txt"
    monkeypatch.setenv("SCHED_CALLBACK_FILE", str(marks))
    harness.copy_dags("sched_callbacks.py")
    sched = harness.scheduler()
    sched.run_once()
    harness.trigger("sched_cb_success")
    harness.trigger("sched_cb_failure")
    harness.run_until(
        sched,
        lambda: (
            harness.all_runs_done("sched_cb_success") and harness.all_runs_done("sched_cb_failure")
        ),
    )
    sched.run(max_iterations=3)
    assert sorted(marks.read_text().splitlines()) == [
        "sched_cb_failure task_failure",
        "sched_cb_success success",
    ]


def test_a_scheduler_killed_mid_try_hands_the_try_back(harness: Any) -> None:
    harness.copy_dags("sched_slow.py")
    sched = harness.scheduler()
    sched.run_once()
    harness.trigger("sched_slow")
    harness.run_until(sched, lambda: [t.state for t in harness.tis("sched_slow")] == ["running"])
    sched.shutdown(graceful=False)
    harness.schedulers.remove(sched)
    (ti,) = harness.tis("sched_slow")
    assert (ti.state, ti.try_number) == ("none", 1)
    (tried,) = harness.tries("sched_slow")
    assert tried.state == "failed" and "handed back" in tried.error

    again = harness.scheduler()
    harness.run_until(again, lambda: harness.all_runs_done("sched_slow"))
    (ti,) = harness.tis("sched_slow")
    assert (ti.state, ti.try_number) == ("success", 2)
