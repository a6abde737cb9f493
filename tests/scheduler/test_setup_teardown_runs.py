"""Setup and teardown tasks under the scheduler, on SQLite and Postgres: the teardown runs after
failed work, its own failure spares the run, and clearing work clears its setup and teardown."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

from tradewind.metastore.clearing import clear_task_instances

DAG_FILE = (
    Path(__file__).resolve().parents[1] / "compat" / "dags" / "setup_teardown_failing_work.py"
)


def _states(harness: Any, dag_id: str) -> dict[str, str]:
    return {ti.task_id: ti.state for ti in harness.tis(dag_id)}


def _start(harness: Any) -> Any:
    folder = Path(harness.settings.core.dags_folder)
    folder.mkdir(parents=True, exist_ok=True)
    shutil.copy(DAG_FILE, folder / DAG_FILE.name)
    sched = harness.scheduler()
    sched.run_once()
    return sched


def test_the_teardown_runs_after_failed_work_and_a_failed_teardown_spares_its_run(
    harness: Any,
) -> None:
    sched = _start(harness)
    harness.trigger("setup_teardown_failing_work")
    harness.trigger("setup_teardown_failing_teardown")
    harness.run_until(
        sched,
        lambda: (
            harness.all_runs_done("setup_teardown_failing_work")
            and harness.all_runs_done("setup_teardown_failing_teardown")
        ),
    )
    assert _states(harness, "setup_teardown_failing_work") == {
        "create_cluster": "success",
        "work": "failed",
        "delete_cluster": "success",
    }
    assert [r.state for r in harness.runs("setup_teardown_failing_work")] == ["failed"]
    assert _states(harness, "setup_teardown_failing_teardown") == {
        "open_session": "success",
        "use": "success",
        "close_session": "failed",
    }
    assert [r.state for r in harness.runs("setup_teardown_failing_teardown")] == ["success"]


def test_clearing_work_clears_its_setup_and_teardown_and_reruns_them(harness: Any) -> None:
    sched = _start(harness)
    harness.trigger("setup_teardown_failing_work")
    harness.run_until(sched, lambda: harness.all_runs_done("setup_teardown_failing_work"))
    with harness.metastore.session() as session:
        cleared = clear_task_instances(session, "setup_teardown_failing_work", task_ids=["work"])
    assert {k.task_id for k in cleared} == {"create_cluster", "work", "delete_cluster"}
    assert set(_states(harness, "setup_teardown_failing_work").values()) == {"none"}
    harness.run_until(sched, lambda: harness.all_runs_done("setup_teardown_failing_work"))
    tries = [t.task_id for t in harness.tries("setup_teardown_failing_work")]
    assert sorted(tries) == sorted(["create_cluster", "work", "delete_cluster"] * 2)
