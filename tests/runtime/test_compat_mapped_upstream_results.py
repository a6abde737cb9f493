"""A task that a mapped task expands over fails itself when its result cannot be mapped over,
as in Airflow (``UnmappableXComTypePushed``, ``XComForMappingNotPushed``)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

from tradewind import DAG, task
from tradewind.errors import TaskFailure
from tradewind.operators.python import PythonOperator
from tradewind.runtime.mapped_dependants import (
    UnmappableXComTypePushed,
    XComForMappingNotPushed,
    feeds_mapping,
)

DAY = datetime(2024, 1, 1, tzinfo=UTC)


def _run(dag: DAG) -> dict[str, str]:
    result = dag.test(logical_date=DAY, echo=None)
    return {
        t.task_id if t.map_index < 0 else f"{t.task_id}[{t.map_index}]": t.state
        for t in result.tasks
    }


def _error(metastore: Any, rt: Any, dag_id: str, task_id: str) -> str | None:
    (only,) = rt.tries(metastore, dag_id, task_id)
    return only.error


def _feeding(dag_id: str, value: Any, how: str) -> DAG:
    with DAG(dag_id, schedule=None, start_date=DAY) as dag:

        @task
        def make() -> Any:
            return value

        @task
        def use(x: Any, y: Any = None) -> Any:
            return x

        made = make()
        if how == "expand":
            use.expand(x=made)
        elif how == "expand_kwargs":
            use.expand_kwargs(made)
        elif how == "map":
            use.expand(x=made.map(lambda item: item * 2))
        elif how == "zip":
            use.expand(x=made.zip(made))
    return dag


@pytest.mark.parametrize("how", ["expand", "expand_kwargs", "map", "zip"])
def test_a_string_result_feeding_a_mapped_task_fails_its_task_with_airflows_message(
    sqlite_metastore, rt, how
) -> None:
    dag_id = f"unmappable_{how}"
    assert _run(_feeding(dag_id, "abc", how)) == {"make": "failed", "use": "upstream_failed"}
    assert _error(sqlite_metastore, rt, dag_id, "make") == "unmappable return type 'str'"


def test_a_none_result_feeding_a_mapped_task_fails_with_xcom_for_mapping_not_pushed(
    sqlite_metastore, rt
) -> None:
    assert _run(_feeding("unmapped_none", None, "expand")) == {
        "make": "failed",
        "use": "upstream_failed",
    }
    assert _error(sqlite_metastore, rt, "unmapped_none", "make") == (
        "did not push XCom for task mapping"
    )


def test_an_operator_that_does_not_push_xcoms_but_feeds_a_mapped_task_fails(
    sqlite_metastore, rt
) -> None:
    with DAG("unmapped_no_push", schedule=None, start_date=DAY) as dag:
        make = PythonOperator(task_id="make", python_callable=lambda: [1, 2], do_xcom_push=False)
        PythonOperator.partial(task_id="use", python_callable=lambda x: x).expand(
            op_args=make.output.map(lambda item: [item])
        )
    assert _run(dag) == {"make": "failed", "use": "upstream_failed"}
    assert _error(sqlite_metastore, rt, "unmapped_no_push", "make") == (
        "did not push XCom for task mapping"
    )


@pytest.mark.parametrize(
    ("value", "name"), [(5, "int"), ({1, 2}, "set"), (b"ab", "bytes"), (3.5, "float")]
)
def test_every_value_that_is_not_a_list_or_a_dict_is_unmappable(
    sqlite_metastore, rt, value, name
) -> None:
    dag_id = f"unmappable_{name}"
    assert _run(_feeding(dag_id, value, "expand"))["make"] == "failed"
    assert _error(sqlite_metastore, rt, dag_id, "make") == f"unmappable return type {name!r}"


@pytest.mark.parametrize("value", [[1, 2, 3], (1, 2), {"a": 1, "b": 2}, []])
def test_lists_tuples_and_dicts_still_map(sqlite_metastore, value) -> None:
    states = _run(_feeding(f"mappable_{type(value).__name__}_{len(value)}", value, "expand"))
    assert states.pop("make") == "success"
    assert set(states.values()) <= {"success", "skipped"}


def test_a_string_result_nobody_maps_over_still_succeeds(sqlite_metastore) -> None:
    with DAG("plain_string", schedule=None, start_date=DAY) as dag:

        @task
        def make() -> str:
            return "abc"

        @task
        def use(x: str) -> str:
            return x

        @task
        def mapped(x: int) -> int:
            return x

        use(make())
        mapped.expand(x=[1, 2])
    assert set(_run(dag).values()) == {"success"}


def test_a_mapped_task_feeding_a_mapped_task_is_not_checked(sqlite_metastore) -> None:
    with DAG("mapped_to_mapped", schedule=None, start_date=DAY) as dag:

        @task
        def word(n: int) -> str:
            return "x" * n

        @task
        def length(w: str) -> int:
            return len(w)

        length.expand(w=word.expand(n=[1, 2]))
    assert set(_run(dag).values()) == {"success"}


def test_the_errors_are_task_failures_so_retries_apply() -> None:
    assert str(UnmappableXComTypePushed("abc")) == "unmappable return type 'str'"
    assert str(UnmappableXComTypePushed([1], 2)) == "unmappable return type 'list[int]'"
    assert str(XComForMappingNotPushed()) == "did not push XCom for task mapping"
    assert issubclass(UnmappableXComTypePushed, TaskFailure)
    assert issubclass(XComForMappingNotPushed, TaskFailure)


def test_whether_a_task_feeds_a_mapped_task_is_worked_out_once_per_task() -> None:
    with DAG("feeds_once", schedule=None, start_date=DAY):

        @task
        def make() -> list[int]:
            return [1]

        @task
        def use(x: int) -> int:
            return x

        made = make()
        use.expand(x=made)
        use(made)
    producer = made.operator
    assert feeds_mapping(producer) is True
    producer.downstream_task_ids.clear()
    assert feeds_mapping(producer) is True  # kept on the task from the first answer
