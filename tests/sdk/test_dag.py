"""DAG: arguments, schedules, the context manager, @dag, lookups and dag.test()."""

from __future__ import annotations

import sys
import types
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from tradewind import DAG, Dataset, Param, dag, task
from tradewind.errors import DagDefinitionError, ScheduleError, TaskNotFound
from tradewind.operators.empty import EmptyOperator
from tradewind.sdk.dag_context import current_dag, pop_autoregistered_dags


@pytest.mark.parametrize(
    ("schedule", "kind", "expression"),
    [
        ("@hourly", "cron", "0 * * * *"),
        ("@daily", "cron", "0 0 * * *"),
        ("@weekly", "cron", "0 0 * * 0"),
        ("@monthly", "cron", "0 0 1 * *"),
        ("@quarterly", "cron", "0 0 1 */3 *"),
        ("@yearly", "cron", "0 0 1 1 *"),
        ("*/5 * * * *", "cron", "*/5 * * * *"),
        ("@once", "once", None),
        (None, "none", None),
    ],
)
def test_schedule_presets_resolve_to_cron(schedule: Any, kind: str, expression: str) -> None:
    spec = DAG("d", schedule=schedule).schedule_spec
    assert (spec.kind, spec.expression) == (kind, expression)


def test_a_timedelta_schedule_is_a_delta() -> None:
    spec = DAG("d", schedule=timedelta(hours=2)).schedule_spec
    assert (spec.kind, spec.seconds) == ("delta", 7200.0)


def test_a_list_of_datasets_schedules_on_datasets() -> None:
    dag_ = DAG("d", schedule=[Dataset("s3://a"), Dataset("s3://b")])
    assert dag_.schedule_spec.kind == "datasets"
    assert dag_.schedule_spec.dataset_uris == ("s3://a", "s3://b")
    assert dag_.dataset_triggers == [Dataset("s3://a"), Dataset("s3://b")]


def test_schedule_interval_is_accepted_as_the_old_name() -> None:
    assert DAG("d", schedule_interval="@daily").schedule_spec.expression == "0 0 * * *"


def test_schedule_and_schedule_interval_together_are_refused() -> None:
    with pytest.raises(DagDefinitionError, match="not both"):
        DAG("d", schedule="@daily", schedule_interval="@daily")


def test_no_schedule_means_airflow_2s_daily_default() -> None:
    spec = DAG("d").schedule_spec
    assert (spec.kind, spec.seconds) == ("delta", 86400.0)


@pytest.mark.parametrize("bad", ["not a cron", "61 * * * *", "@fortnightly", "* * *"])
def test_a_bad_cron_is_refused_naming_the_dag_and_the_string(bad: str) -> None:
    with pytest.raises(ScheduleError) as info:
        DAG("cron_dag", schedule=bad)
    assert "'cron_dag'" in str(info.value) and repr(bad) in str(info.value)


def test_an_unknown_schedule_type_is_refused() -> None:
    with pytest.raises(ScheduleError, match="cannot understand"):
        DAG("d", schedule=42)


def test_a_bad_dag_id_is_refused() -> None:
    with pytest.raises(DagDefinitionError, match="dag_id"):
        DAG("no spaces please")


def test_start_date_comes_from_default_args_when_not_given() -> None:
    start = datetime(2024, 1, 1, tzinfo=UTC)
    assert DAG("d", default_args={"start_date": start}).start_date == start


def test_catchup_stays_none_until_the_spec_resolves_it() -> None:
    assert DAG("d").catchup is None
    assert DAG("e", catchup=False).catchup is False


def test_arguments_are_kept() -> None:
    dag_ = DAG(
        "d",
        description="desc",
        tags=["a", "b"],
        max_active_runs=2,
        max_active_tasks=3,
        dagrun_timeout=60,
        doc_md="# doc",
        template_searchpath="/tmp",
        render_template_as_native_obj=True,
        is_paused_upon_creation=False,
    )
    assert dag_.description == "desc" and dag_.tags == ["a", "b"]
    assert (dag_.max_active_runs, dag_.max_active_tasks) == (2, 3)
    assert dag_.dagrun_timeout == timedelta(minutes=1)
    assert dag_.template_searchpath == ["/tmp"]
    assert dag_.render_template_as_native_obj is True
    assert dag_.is_paused_upon_creation is False


def test_the_context_manager_makes_the_dag_current_and_registers_it() -> None:
    pop_autoregistered_dags()
    with DAG("ctx", schedule=None) as dag_:
        assert current_dag() is dag_
        op = EmptyOperator(task_id="t")
    assert current_dag() is None
    assert op.dag is dag_ and op.dag_id == "ctx"
    assert pop_autoregistered_dags() == [dag_]


def test_fileloc_is_the_file_that_defined_the_dag() -> None:
    assert DAG("d").fileloc == __file__


def test_lookups() -> None:
    with DAG("d", schedule=None) as dag_:
        a = EmptyOperator(task_id="a")
        b = EmptyOperator(task_id="b")
        c = EmptyOperator(task_id="c")
        c >> b >> a
    assert dag_.get_task("a") is a
    assert dag_.has_task("b") and not dag_.has_task("z")
    assert dag_.task_ids == ["a", "b", "c"]
    assert dag_.task_dict == {"a": a, "b": b, "c": c}
    assert [t.task_id for t in dag_.topological_sort()] == ["c", "b", "a"]
    assert dag_.roots == [c] and dag_.leaves == [a]
    with pytest.raises(TaskNotFound, match="'z'"):
        dag_.get_task("z")


def test_params_accept_param_objects_and_plain_values() -> None:
    dag_ = DAG("d", params={"a": Param(1, type="integer"), "b": "x"})
    assert dict(dag_.params) == {"a": 1, "b": "x"}
    assert dag_.params.get_param("a").schema == {"type": "integer"}


def test_the_dag_decorator_returns_a_dag_when_called() -> None:
    @dag(schedule="@daily", start_date=datetime(2024, 1, 1), tags=["x"])
    def my_pipeline(limit: int = 5) -> None:
        """Docs of my pipeline."""

        @task
        def step(n: int) -> int:
            return n

        step(limit)

    built = my_pipeline()
    assert isinstance(built, DAG)
    assert built.dag_id == "my_pipeline"
    assert built.tags == ["x"]
    assert built.doc_md == "Docs of my pipeline."
    assert dict(built.params) == {"limit": 5}
    assert built.task_ids == ["step"]
    assert built.fileloc == __file__


def test_the_dag_decorator_takes_a_dag_id_and_call_arguments_become_param_defaults() -> None:
    @dag("named", schedule=None)
    def factory(size: int) -> None:
        EmptyOperator(task_id="t")

    assert factory(size=7).dag_id == "named"
    assert dict(factory(size=7).params) == {"size": 7}


def test_a_dag_param_resolves_from_the_run_params() -> None:
    @dag(schedule=None)
    def with_param(n: int = 2) -> None:
        @task
        def show(n: int) -> int:
            return n

        show(n)

    built = with_param()
    op: Any = built.get_task("show")
    assert op.execute({"ti": None, "params": {"n": 9}}) == 9


def test_dag_test_delegates_to_the_runtime(monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[tuple[Any, dict[str, Any]]] = []
    fake = types.ModuleType("tradewind.runtime.dag_test")
    fake.run_dag_test = lambda d, **kw: calls.append((d, kw)) or "result"  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "tradewind.runtime.dag_test", fake)
    dag_ = DAG("d", schedule=None)
    when = datetime(2024, 1, 1, tzinfo=UTC)
    assert dag_.test(logical_date=when, conf={"a": 1}) == "result"
    assert calls == [(dag_, {"logical_date": when, "conf": {"a": 1}})]
    dag_.test(execution_date=when, run_conf={"b": 2})
    assert calls[-1][1] == {"logical_date": when, "conf": {"b": 2}}
