"""serialize_dag: a live DAG becomes a DagSpec that survives JSON, with resolved schedule and tz."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pendulum
import pytest

from tradewind import DAG, Dataset, Param, TaskGroup, task
from tradewind.core.spec import DagSpec
from tradewind.errors import CycleError, ParamValidationError
from tradewind.operators import BashOperator, EmptyOperator, PythonOperator
from tradewind.parsing.serialize import dag_version_hash, serialize_dag
from tradewind.utils.dates import days_ago


def _full_dag() -> DAG:
    with DAG(
        "full",
        schedule="@daily",
        start_date=datetime(2024, 1, 1, tzinfo=ZoneInfo("Europe/Paris")),
        end_date=datetime(2024, 6, 1, tzinfo=ZoneInfo("Europe/Paris")),
        catchup=False,
        default_args={"retries": 2, "retry_delay": timedelta(minutes=1), "owner": "ann"},
        params={"n": Param(3, type="integer")},
        tags=["t1"],
        max_active_runs=1,
        dagrun_timeout=timedelta(hours=1),
        description="a dag",
        on_failure_callback=lambda ctx: None,
    ) as dag:
        start = EmptyOperator(task_id="start", priority_weight=5, weight_rule="absolute")
        with TaskGroup("grp", tooltip="the group"):
            bash = BashOperator(
                task_id="bash",
                bash_command="echo",
                queue="high_cpu",
                pool="p",
                pool_slots=2,
                execution_timeout=30,
                outlets=[Dataset("s3://out")],
                trigger_rule="all_done",
                email="a@b.c",
                email_on_retry=False,
            )
        py = PythonOperator(task_id="py", python_callable=print, depends_on_past=True)

        @task
        def numbers() -> list[int]:
            return [1]

        @task
        def double(x: int) -> int:
            return x

        doubled = double.expand(x=numbers())
        start >> bash >> py >> doubled
    return dag


def test_the_spec_carries_every_task_field() -> None:
    spec = serialize_dag(_full_dag())
    bash = spec.task("grp.bash")
    assert bash.operator == "BashOperator"
    assert bash.upstream == ("start",) and bash.downstream == ("py",)
    assert (bash.queue, bash.pool, bash.pool_slots) == ("high_cpu", "p", 2)
    assert (bash.retries, bash.retry_delay, bash.execution_timeout) == (2, 60.0, 30.0)
    assert bash.trigger_rule == "all_done"
    assert bash.outlets == ("s3://out",)
    assert bash.group_id == "grp"
    assert bash.template_fields == ("bash_command", "env", "cwd")
    assert (bash.email_on_failure, bash.email_on_retry) == (True, False)
    assert bash.owner == "ann"
    start = spec.task("start")
    assert (start.priority_weight, start.weight_rule, start.group_id) == (5, "absolute", None)
    assert start.email_on_failure is False
    assert spec.task("py").depends_on_past is True
    double = spec.task("double")
    assert (double.mapped, double.map_length, double.map_upstream) == (
        "upstream",
        None,
        ("numbers",),
    )


def test_the_spec_carries_the_dag_fields() -> None:
    spec = serialize_dag(_full_dag())
    assert spec.dag_id == "full" and spec.fileloc == __file__
    assert (spec.schedule.kind, spec.schedule.expression, spec.schedule.description) == (
        "cron",
        "0 0 * * *",
        "@daily",
    )
    assert spec.timezone == "Europe/Paris"
    assert spec.start_date == "2024-01-01T00:00:00+01:00"
    assert spec.end_date == "2024-06-01T00:00:00+02:00"
    assert spec.catchup is False
    assert (spec.max_active_runs, spec.dagrun_timeout) == (1, 3600.0)
    assert spec.tags == ("t1",) and spec.owner == "ann" and spec.description == "a dag"
    assert spec.params == {"n": {"default": 3, "schema": {"type": "integer"}, "description": None}}
    assert spec.task_groups == {"grp": {"parent": None, "tooltip": "the group"}}
    assert spec.has_on_failure_callback and not spec.has_on_success_callback
    assert spec.default_args["retries"] == "2"


def test_the_spec_lists_tasks_in_dependency_order() -> None:
    spec = serialize_dag(_full_dag())
    assert spec.task_ids == ("start", "grp.bash", "py", "numbers", "double")


def test_the_spec_round_trips_through_json() -> None:
    spec = serialize_dag(_full_dag())
    assert DagSpec.from_json(spec.to_json()) == spec


def test_catchup_none_takes_the_configured_default() -> None:
    dag = DAG("d", schedule=None)
    assert serialize_dag(dag, catchup_default=False).catchup is False
    assert serialize_dag(dag, catchup_default=True).catchup is True


def test_a_naive_start_date_is_read_in_the_default_timezone() -> None:
    dag = DAG("d", schedule=None, start_date=datetime(2024, 7, 1, 6))
    spec = serialize_dag(dag, default_timezone="America/New_York")
    assert spec.timezone == "America/New_York"
    assert spec.start_date == "2024-07-01T06:00:00-04:00"
    assert serialize_dag(dag).start_date == "2024-07-01T06:00:00+00:00"


@pytest.mark.parametrize(
    ("start", "name"),
    [
        (pendulum.datetime(2024, 1, 1, tz="UTC"), "UTC"),
        (pendulum.datetime(2024, 1, 1, tz="Asia/Tokyo"), "Asia/Tokyo"),
        (datetime(2024, 1, 1, tzinfo=UTC), "UTC"),
        (datetime(2024, 1, 1, tzinfo=timezone(timedelta(hours=2))), "Etc/GMT-2"),
    ],
)
def test_the_timezone_is_named_from_the_start_date(start: datetime, name: str) -> None:
    spec = serialize_dag(
        DAG("d", schedule="@daily", start_date=start), default_timezone="Europe/Rome"
    )
    assert spec.timezone == name
    assert datetime.fromisoformat(spec.start_date or "") == start


def test_days_ago_is_midnight_utc() -> None:
    value = days_ago(2)
    assert value.tzinfo is not None and (value.hour, value.minute) == (0, 0)
    assert serialize_dag(DAG("d", start_date=value)).timezone == "UTC"


def test_schedules_in_the_spec() -> None:
    assert serialize_dag(DAG("a", schedule=timedelta(minutes=5))).schedule.seconds == 300.0
    datasets = serialize_dag(DAG("b", schedule=[Dataset("x://1")])).schedule
    assert (datasets.kind, datasets.dataset_uris) == ("datasets", ("x://1",))
    assert serialize_dag(DAG("c", schedule="@once")).schedule.kind == "once"


def test_literal_mapping_in_the_spec() -> None:
    with DAG("m", schedule=None) as dag:
        BashOperator.partial(task_id="t").expand(bash_command=["a", "b"], env=[{}, {}, {}])
    t = serialize_dag(dag).task("t")
    assert (t.mapped, t.map_length, t.map_upstream) == ("literal", 6, ())


def test_serializing_a_dag_with_a_cycle_names_it() -> None:
    dag = DAG("cyclic", schedule=None)
    a = EmptyOperator(task_id="a", dag=dag)
    b = EmptyOperator(task_id="b", dag=dag)
    a >> b >> a
    with pytest.raises(CycleError, match="a >> b >> a"):
        serialize_dag(dag)


def test_a_param_default_outside_its_schema_is_refused() -> None:
    dag = DAG("d", schedule=None, params={"n": Param("x", type="integer")})
    with pytest.raises(ParamValidationError, match="'n'"):
        serialize_dag(dag)


def test_the_version_hash_changes_with_the_spec_or_the_source() -> None:
    spec = serialize_dag(_full_dag())
    same = dag_version_hash(spec, "src")
    assert same == dag_version_hash(spec.to_json(), "src")
    assert len(same) == 64
    assert dag_version_hash(spec, "other") != same
    other = serialize_dag(DAG("d", schedule=None))
    assert dag_version_hash(other, "src") != same
