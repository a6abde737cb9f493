"""The metastore on MariaDB/MySQL (mysql+pymysql): migrations, a DAG run with its task
instances, compare-and-set state writes, XComs and a whole `dags test` run.

The local MariaDB is 127.0.0.1:3306 (root, no password, database ``test``); the test fails
(never skips) when it is down.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from datetime import UTC, datetime

import pytest
from sqlalchemy import select, text

from tradewind import DAG, task
from tradewind.core.keys import TaskInstanceKey
from tradewind.core.states import TaskState
from tradewind.errors import DagRunAlreadyExists, IllegalTransition
from tradewind.metastore import db_admin, transitions
from tradewind.metastore.engine import Metastore, set_default_metastore
from tradewind.metastore.models import Base, DagRun, TaskInstance, TaskTry
from tradewind.operators.bash import BashOperator
from tradewind.operators.empty import EmptyOperator
from tradewind.parsing.serialize import serialize_dag

MARIADB_URL = os.environ.get(
    "TRADEWIND_TEST_MARIADB_URL", "mysql+pymysql://root@127.0.0.1:3306/test"
)
DAY = datetime(2024, 6, 1, 6, 30, tzinfo=UTC)


def _drop_everything(store: Metastore) -> None:
    with store.engine.begin() as conn:
        Base.metadata.drop_all(conn)
        conn.execute(text("DROP TABLE IF EXISTS alembic_version"))


@pytest.fixture
def mariadb(tw_home, monkeypatch: pytest.MonkeyPatch) -> Iterator[Metastore]:
    """A MariaDB metastore built by the migrations (not create_all), emptied afterwards."""
    monkeypatch.setenv("TRADEWIND__DATABASE__URL", MARIADB_URL)
    store = Metastore(MARIADB_URL)
    _drop_everything(store)  # whatever an earlier, interrupted run left
    db_admin.upgrade(store)
    set_default_metastore(store)
    yield store
    set_default_metastore(None)
    _drop_everything(store)
    store.dispose()


def _pipeline() -> DAG:
    with DAG("on_mariadb", start_date=datetime(2024, 1, 1), schedule="@daily") as dag:

        @task
        def numbers() -> dict[str, int]:
            return {"a": 1, "b": 2}

        @task.branch
        def choose(values: dict[str, int]) -> str:
            return "big" if sum(values.values()) > 2 else "small"

        echo = BashOperator(task_id="echo", bash_command="echo {{ ds }}")
        big, small = EmptyOperator(task_id="big"), EmptyOperator(task_id="small")
        choose(numbers()) >> [big, small]
        big >> echo
    return dag


def test_a_run_its_task_instances_and_compare_and_set_writes_work_on_mariadb(
    mariadb: Metastore,
) -> None:
    from tradewind.metastore.runs import create_dagrun

    spec = serialize_dag(_pipeline())
    with mariadb.session() as session:
        run = create_dagrun(session, spec, logical_date=DAY, run_id="r1")
        assert run.logical_date == DAY  # tz-aware UTC back from a DATETIME column
    with mariadb.session() as session, pytest.raises(DagRunAlreadyExists):
        create_dagrun(session, spec, logical_date=DAY, run_id="r1")

    key = TaskInstanceKey("on_mariadb", "r1", "echo")
    with mariadb.session() as session:
        assert transitions.set_task_state(
            session, key, TaskState.SCHEDULED, expected=["none"], increment_try=True
        )
        assert transitions.set_task_state(session, key, TaskState.QUEUED, expected=["scheduled"])
        won = transitions.set_task_state(
            session, key, TaskState.RUNNING, expected=["queued"], try_number=1, hostname="w1"
        )
        lost = transitions.set_task_state(
            session, key, TaskState.RUNNING, expected=["queued"], try_number=1, hostname="w2"
        )
        assert (won, lost) == (True, False)
    with mariadb.session() as session, pytest.raises(IllegalTransition, match="from queued to"):
        transitions.set_task_state(session, key, TaskState.UP_FOR_RETRY, expected=["queued"])
    with mariadb.session() as session:
        assert transitions.set_task_state(
            session, key, TaskState.SUCCESS, expected=["running"], try_number=1
        )
    with mariadb.session() as session:
        rows = session.execute(
            select(TaskInstance.task_id, TaskInstance.state, TaskInstance.hostname).where(
                TaskInstance.run_id == "r1"
            )
        ).all()
    assert sorted(rows) == [
        ("big", "none", None),
        ("choose", "none", None),
        ("echo", "success", "w1"),
        ("numbers", "none", None),
        ("small", "none", None),
    ]


def test_a_try_row_is_upserted_and_never_put_back_to_running_on_mariadb(
    mariadb: Metastore,
) -> None:
    key = TaskInstanceKey("on_mariadb", "r1", "echo")
    with mariadb.session() as session:
        transitions.record_try(session, key.with_try(1), "running", hostname="w1")
        transitions.record_try(session, key.with_try(1), "failed", error="boom")
        transitions.record_try(session, key.with_try(1), "running", hostname="late", error=None)
        transitions.record_try(session, key.with_try(2), "up_for_reschedule", hostname="w1")
        transitions.record_try(session, key.with_try(2), "running", hostname="w2")
    with mariadb.session() as session:
        rows = session.execute(
            select(TaskTry.try_number, TaskTry.state, TaskTry.hostname, TaskTry.error).order_by(
                TaskTry.try_number
            )
        ).all()
    assert [tuple(r) for r in rows] == [(1, "failed", "w1", "boom"), (2, "running", "w2", None)]


def test_dags_test_runs_a_whole_dag_on_mariadb(mariadb: Metastore) -> None:
    from tradewind.metastore.xcoms import pull_xcom
    from tradewind.runtime.dag_test import run_dag_test

    result = run_dag_test(_pipeline(), logical_date=DAY, metastore=mariadb)
    states = {t.task_id: t.state for t in result.tasks}
    assert result.state == "success"
    assert states == {
        "numbers": "success",
        "choose": "success",
        "big": "success",
        "small": "skipped",
        "echo": "success",
    }
    with mariadb.session() as session:
        assert pull_xcom(session, "on_mariadb", result.run_id, "numbers") == {"a": 1, "b": 2}
        assert pull_xcom(session, "on_mariadb", result.run_id, "echo") == "2024-06-01"
        run = session.execute(select(DagRun)).scalar_one()
        assert run.state == "success" and run.logical_date == DAY
