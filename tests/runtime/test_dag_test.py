"""``dag.test()`` from Python runs the DAG in-process, as Airflow's does."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from tradewind.parsing.loader import load_file

DAGS = Path(__file__).resolve().parent.parent / "dags" / "runtime"


def _dag(name: str):
    (dag,) = load_file(str(DAGS / f"{name}.py"), timeout=30, safe_mode=False).dags
    return dag


def test_dag_test_returns_the_run_with_every_task_instance(sqlite_metastore):
    dag = _dag("rt_params")
    result = dag.test(logical_date=datetime(2024, 6, 1, tzinfo=UTC), conf={"count": 7})
    assert result.state == "success"
    assert result.run_id == "manual__2024-06-01T00:00:00+00:00"
    show = result.get_task_instance("show")
    assert show is not None and show.state == "success" and show.try_number == 1
    from tradewind.metastore.xcoms import pull_xcom

    with sqlite_metastore.session() as session:
        assert pull_xcom(session, "rt_params", result.run_id, "show") == "7-plain"


def test_dag_test_on_a_fresh_home_creates_the_metastore(tw_home, monkeypatch):
    monkeypatch.setenv("TRADEWIND__DATABASE__URL", f"sqlite:///{tw_home / 'fresh.db'}")
    dag = _dag("rt_xcom")
    assert dag.test(execution_date=datetime(2024, 1, 1)).state == "success"
    assert (tw_home / "fresh.db").exists()
