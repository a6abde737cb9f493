"""``outlet_events``, ``yield Metadata(...)`` and ``inlet_events``, through real DAG runs."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import select

from tradewind.datasets import Dataset
from tradewind.datasets.metadata import Metadata
from tradewind.decorators import task
from tradewind.metastore.models import Dataset as DatasetRow
from tradewind.metastore.models import DatasetEvent
from tradewind.operators.bash import BashOperator
from tradewind.operators.python import PythonOperator
from tradewind.sdk.dag import DAG

DS = Dataset("s3://extras/out.txt")
OTHER = Dataset("s3://extras/other.txt")
START = datetime(2024, 1, 1, tzinfo=UTC)


def _events(metastore: Any, uri: str) -> list[tuple[str | None, dict | None]]:
    with metastore.session() as session:
        rows = session.execute(
            select(DatasetEvent.source_task_id, DatasetEvent.extra)
            .join(DatasetRow, DatasetRow.id == DatasetEvent.dataset_id)
            .where(DatasetRow.uri == uri)
            .order_by(DatasetEvent.id)
        ).all()
    return [(task_id, extra) for task_id, extra in rows]


def _xcom(metastore: Any, dag_id: str, run_id: str, task_id: str) -> Any:
    from tradewind.metastore.xcoms import pull_xcom

    with metastore.session() as session:
        return pull_xcom(session, dag_id, run_id, task_id)


def test_outlet_events_set_the_extra_of_the_recorded_event(sqlite_metastore):
    with DAG("extras_out", start_date=START, schedule=None) as dag:

        @task(outlets=[DS, OTHER])
        def by_context(*, outlet_events=None):
            outlet_events[DS].extra = {"hi": "bye"}
            outlet_events["s3://extras/other.txt"].extra["n"] = 1
            outlet_events["s3://not/an/outlet"].extra["ignored"] = True

        @task(outlets=[DS])
        def untouched():
            return None

        def post(context: Any, result: Any) -> None:
            context["outlet_events"][DS].extra = {"from": "post_execute"}

        by_context() >> untouched()
        BashOperator(task_id="classic", outlets=[DS], bash_command=":", post_execute=post)

    assert dag.test().state == "success"
    assert sorted(_events(sqlite_metastore, DS.uri), key=str) == sorted(
        [("by_context", {"hi": "bye"}), ("untouched", None), ("classic", {"from": "post_execute"})],
        key=str,
    )
    assert _events(sqlite_metastore, OTHER.uri) == [("by_context", {"n": 1})]
    assert _events(sqlite_metastore, "s3://not/an/outlet") == []


def test_yielded_metadata_sets_the_extra_and_the_return_value_is_kept(sqlite_metastore):
    with DAG("extras_yield", start_date=START, schedule=None) as dag:

        @task(outlets=[DS])
        def produce():
            yield Metadata(DS, {"rows": 3})
            yield Metadata("s3://extras/out.txt", {"done": True})
            yield "not metadata"
            return "result"

        produce()

    run = dag.test()
    assert run.state == "success"
    assert _events(sqlite_metastore, DS.uri) == [("produce", {"rows": 3, "done": True})]
    assert _xcom(sqlite_metastore, "extras_yield", run.run_id, "produce") == "result"


def test_an_extra_that_is_not_json_fails_the_task_and_records_no_event(sqlite_metastore):
    with DAG("extras_bad", start_date=START, schedule=None) as dag:

        @task(outlets=[DS])
        def bad(*, outlet_events=None):
            outlet_events[DS].extra = {"when": object()}
            return "pushed?"

        bad()

    run = dag.test()
    assert run.state == "failed"
    assert _events(sqlite_metastore, DS.uri) == []
    assert _xcom(sqlite_metastore, "extras_bad", run.run_id, "bad") is None


def test_inlet_events_list_earlier_events_oldest_first(sqlite_metastore):
    with DAG("extras_producer", start_date=START, schedule=None) as producer:

        @task(outlets=[DS])
        def write(*, outlet_events=None, dag_run=None):
            outlet_events[DS].extra = {"n": dag_run.conf["n"]}

        write()

    for n in (1, 2, 3):
        day = datetime(2024, 1, n, tzinfo=UTC)
        assert producer.test(logical_date=day, conf={"n": n}).state == "success"

    seen: dict[str, Any] = {}
    with DAG("extras_consumer", start_date=START, schedule=None) as consumer:

        @task(inlets=[DS])
        def read(*, inlet_events=None):
            events = inlet_events[DS]
            seen["extras"] = [e.extra["n"] for e in events]
            seen["by_uri"] = len(inlet_events[DS.uri])
            seen["by_index"] = inlet_events[0][-1].extra
            latest = events[-1]
            seen["latest"] = (latest.source_dag_id, latest.source_task_id, latest.source_run_id)
            seen["ordered"] = [e.timestamp for e in events] == sorted(e.timestamp for e in events)
            try:
                inlet_events[OTHER]
            except KeyError:
                seen["other"] = "KeyError"
            return events[-1].extra["n"]

        PythonOperator(
            task_id="templated",
            inlets=[DS],
            python_callable=lambda text: text,
            op_args=["{{ inlet_events['s3://extras/out.txt'][-1].extra.n }}"],
        )
        read()

    run = consumer.test()
    assert run.state == "success"
    assert seen["extras"] == [1, 2, 3]
    assert seen["by_uri"] == 3
    assert seen["by_index"] == {"n": 3}
    assert seen["latest"] == ("extras_producer", "write", "manual__2024-01-03T00:00:00+00:00")
    assert seen["ordered"] is True
    assert seen["other"] == "KeyError"
    assert _xcom(sqlite_metastore, "extras_consumer", run.run_id, "read") == 3
    assert _xcom(sqlite_metastore, "extras_consumer", run.run_id, "templated") == "3"
