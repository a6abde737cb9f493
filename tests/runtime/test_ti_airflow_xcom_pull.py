"""``ti.xcom_pull`` keeps Airflow 2's rules, in tasks and in templates, through ``dag.test()``."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from tradewind.decorators import task
from tradewind.metastore.xcoms import pull_xcom
from tradewind.operators.bash import BashOperator
from tradewind.sdk.dag import DAG

START = datetime(2024, 1, 1, tzinfo=UTC)


def _mapped_and_single(dag_id: str, puller: Any) -> DAG:
    """``mapped`` (map indexes 0, 1: 10, 20) and ``single`` ('s') upstream of ``puller``."""
    with DAG(dag_id, start_date=START, schedule=None) as dag:

        @task
        def mapped(x: int) -> int:
            return x

        @task
        def single() -> str:
            return "s"

        @task
        def nothing() -> None:
            return None

        [mapped.expand(x=[10, 20]), single(), nothing()] >> task(puller)()
    return dag


def test_without_task_ids_the_latest_xcom_with_the_key_of_any_task_is_pulled(sqlite_metastore):
    seen: dict[str, Any] = {}
    with DAG("ti_pull_any_task", start_date=START, schedule=None) as dag:

        @task
        def push(ti=None) -> None:
            ti.xcom_push(key="note", value={"from": "push"})

        @task
        def pull(ti=None) -> None:
            seen["note"] = ti.xcom_pull(key="note")
            seen["missing"] = ti.xcom_pull(key="absent", default="dflt")

        BashOperator(
            task_id="templated", bash_command="echo {{ ti.xcom_pull(key='note')['from'] }}"
        )
        push() >> pull()
        dag.get_task("push") >> dag.get_task("templated")

    run = dag.test()
    assert run.state == "success"
    assert seen == {"note": {"from": "push"}, "missing": "dflt"}
    with sqlite_metastore.session() as session:
        echoed = pull_xcom(session, "ti_pull_any_task", run.run_id, "templated")
    assert echoed == "push"


def test_a_list_of_task_ids_gives_one_flat_list_in_their_order_then_by_map_index(
    sqlite_metastore,
):
    seen: dict[str, Any] = {}

    def pull(ti=None) -> None:
        seen["flat"] = ti.xcom_pull(task_ids=["mapped", "single"])
        seen["reversed"] = ti.xcom_pull(task_ids=(t for t in ["single", "mapped"]))
        seen["found_only"] = ti.xcom_pull(task_ids=["single", "nothing", "single"])
        seen["none_found"] = ti.xcom_pull(task_ids=["nothing"], default="ignored")

    assert _mapped_and_single("ti_pull_list", pull).test().state == "success"
    assert seen == {
        "flat": [10, 20, "s"],
        "reversed": ["s", 10, 20],
        "found_only": ["s"],
        "none_found": [],
    }


def test_map_indexes_as_a_list_give_the_values_found_in_that_order(sqlite_metastore):
    seen: dict[str, Any] = {}

    def pull(ti=None) -> None:
        seen["by_list"] = ti.xcom_pull(task_ids="mapped", map_indexes=[1, 5, 0])
        seen["by_range"] = ti.xcom_pull(task_ids="mapped", map_indexes=range(1, -1, -1))
        seen["one_index"] = ti.xcom_pull(task_ids="mapped", map_indexes=1)
        seen["whole"] = list(ti.xcom_pull(task_ids="mapped"))
        seen["default"] = ti.xcom_pull(task_ids="nothing", default="dflt")

    assert _mapped_and_single("ti_pull_indexes", pull).test().state == "success"
    assert seen == {
        "by_list": [20, 10],
        "by_range": [20, 10],
        "one_index": 20,
        "whole": [10, 20],
        "default": "dflt",
    }


def test_include_prior_dates_finds_the_latest_earlier_value(sqlite_metastore):
    seen: list[Any] = []
    with DAG("ti_pull_prior", start_date=START, schedule=None) as dag:

        @task
        def remember(ti=None, dag_run=None) -> None:
            seen.append(ti.xcom_pull(key="day", include_prior_dates=True))
            ti.xcom_push(key="day", value=dag_run.logical_date.day)

        remember()

    for day in (1, 2, 3):
        assert dag.test(logical_date=datetime(2024, 1, day, tzinfo=UTC)).state == "success"
    assert seen == [None, 1, 2]
