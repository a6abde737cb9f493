"""BaseOperator arguments: defaults, default_args precedence, validation at declaration."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest

from tradewind import DAG, BaseOperator, Dataset, TaskGroup, TriggerRule
from tradewind.errors import DagDefinitionError, DuplicateTaskIdError
from tradewind.operators.bash import BashOperator
from tradewind.operators.empty import EmptyOperator


class Custom(BaseOperator):
    template_fields = ("message",)

    def __init__(self, *, message: str = "own default", retries: int = 9, **kwargs: Any):
        super().__init__(retries=retries, **kwargs)
        self.message = message

    def execute(self, context: dict[str, Any]) -> str:
        return self.message


def test_operator_defaults_match_airflow() -> None:
    op = EmptyOperator(task_id="t")
    assert op.retries == 0
    assert op.retry_delay == timedelta(seconds=300)
    assert op.queue == "default"
    assert op.pool == "default_pool"
    assert op.pool_slots == 1
    assert op.priority_weight == 1
    assert op.weight_rule == "downstream"
    assert op.trigger_rule == TriggerRule.ALL_SUCCESS
    assert op.do_xcom_push is True
    assert op.email_on_failure is True and op.email_on_retry is True
    assert op.depends_on_past is False


def test_default_args_of_the_dag_fill_arguments_not_given() -> None:
    with DAG("d", schedule=None, default_args={"retries": 3, "queue": "high_cpu", "owner": "ann"}):
        op = EmptyOperator(task_id="t")
    assert (op.retries, op.queue, op.owner) == (3, "high_cpu", "ann")


def test_an_explicit_argument_beats_default_args() -> None:
    with DAG("d", schedule=None, default_args={"retries": 3}):
        op = EmptyOperator(task_id="t", retries=1)
    assert op.retries == 1


def test_default_args_beat_a_subclass_default_and_reach_its_own_arguments() -> None:
    with DAG("d", schedule=None, default_args={"retries": 3, "message": "from dag"}):
        op = Custom(task_id="t")
    assert op.retries == 3
    assert op.message == "from dag"
    with DAG("e", schedule=None):
        plain = Custom(task_id="t")
    assert plain.retries == 9 and plain.message == "own default"


def test_operator_default_args_beat_the_dag_default_args() -> None:
    with DAG("d", schedule=None, default_args={"retries": 3, "pool": "p1"}):
        op = EmptyOperator(task_id="t", default_args={"retries": 5})
    assert op.retries == 5 and op.pool == "p1"


def test_task_group_default_args_sit_between_the_dag_and_the_task() -> None:
    with DAG("d", schedule=None, default_args={"retries": 3, "queue": "q_dag"}):
        with TaskGroup("outer", default_args={"retries": 4}):
            with TaskGroup("inner", default_args={"queue": "q_inner"}):
                op = EmptyOperator(task_id="t")
    assert op.task_id == "outer.inner.t"
    assert (op.retries, op.queue) == (4, "q_inner")


def test_unknown_default_args_are_ignored_but_unknown_arguments_are_refused() -> None:
    with DAG("d", schedule=None, default_args={"not_an_arg": 1}):
        EmptyOperator(task_id="fine")
        with pytest.raises(DagDefinitionError, match=r"Invalid arguments.*not_an_arg"):
            EmptyOperator(task_id="bad", not_an_arg=1)


def test_retry_delay_accepts_seconds() -> None:
    op = EmptyOperator(task_id="t", retry_delay=30, max_retry_delay=600.0, execution_timeout=5)
    assert op.retry_delay == timedelta(seconds=30)
    assert op.max_retry_delay == timedelta(minutes=10)
    assert op.execution_timeout == timedelta(seconds=5)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"trigger_rule": "sometimes"}, "trigger_rule must be one of"),
        ({"weight_rule": "sideways"}, "weight_rule must be one of"),
        ({"retries": "many"}, "'retries' type must be int"),
        ({"retries": 1.5}, "'retries' type must be int"),
        ({"pool_slots": 0}, "pool slots cannot be less than 1"),
        ({"retry_delay": "soon"}, "retry_delay must be a timedelta"),
    ],
)
def test_a_bad_argument_is_refused_naming_the_task(kwargs: dict[str, Any], message: str) -> None:
    with DAG("named_dag", schedule=None):
        with pytest.raises(DagDefinitionError, match=message) as info:
            EmptyOperator(task_id="the_task", **kwargs)
    assert "'the_task'" in str(info.value) and "'named_dag'" in str(info.value)


def test_trigger_rule_accepts_the_enum_and_stores_its_string() -> None:
    op = EmptyOperator(task_id="t", trigger_rule=TriggerRule.NONE_FAILED_MIN_ONE_SUCCESS)
    assert op.trigger_rule == "none_failed_min_one_success"


@pytest.mark.parametrize("task_id", ["has space", "slash/no", "", "x" * 251, "ünï€"])
def test_an_illegal_task_id_is_refused(task_id: str) -> None:
    with pytest.raises(DagDefinitionError, match="task_id"):
        EmptyOperator(task_id=task_id)


def test_a_duplicate_task_id_names_the_id_and_the_dag() -> None:
    with DAG("dupes", schedule=None):
        EmptyOperator(task_id="same")
        with pytest.raises(DuplicateTaskIdError, match=r"'same'.*'dupes'"):
            EmptyOperator(task_id="same")


def test_all_thirteen_trigger_rules_exist_with_airflow_values() -> None:
    assert TriggerRule.all_triggers() == {
        "all_success",
        "all_failed",
        "all_done",
        "all_done_setup_success",
        "all_done_min_one_success",
        "all_skipped",
        "one_success",
        "one_failed",
        "one_done",
        "none_failed",
        "none_failed_min_one_success",
        "none_skipped",
        "always",
    }
    for rule in TriggerRule.all_triggers():
        EmptyOperator(task_id=f"t_{rule}", trigger_rule=rule)


def test_outlets_accept_one_dataset_or_a_list() -> None:
    one = EmptyOperator(task_id="one", outlets=Dataset("s3://a"))
    many = EmptyOperator(task_id="many", outlets=[Dataset("s3://a"), Dataset("s3://b")])
    assert one.outlets == [Dataset("s3://a")]
    assert [d.uri for d in many.outlets] == ["s3://a", "s3://b"]


def test_wait_for_downstream_implies_depends_on_past() -> None:
    assert EmptyOperator(task_id="t", wait_for_downstream=True).depends_on_past is True


def test_dag_default_args_params_merge_into_the_dag_params_as_airflow_does() -> None:
    with DAG("d", schedule=None, params={"a": 0, "c": 3}, default_args={"params": {"a": 1}}) as dag:
        op = EmptyOperator(task_id="t", params={"b": 3})
    assert dict(dag.params) == {"a": 1, "c": 3}
    assert "params" not in dag.default_args
    assert dict(op.params) == {"a": 1, "c": 3, "b": 3}  # the DAG's, under its own


def test_operator_default_args_params_sit_under_its_own_params() -> None:
    op = EmptyOperator(task_id="t", default_args={"params": {"a": 1, "b": 2}}, params={"b": 3})
    assert dict(op.params) == {"a": 1, "b": 3}


def test_xcom_helpers_go_through_the_task_instance(fake_ti) -> None:
    op = EmptyOperator(task_id="t")
    op.xcom_push({"ti": fake_ti}, key="k", value=1)
    assert fake_ti.pushed == {"k": 1}
    fake_ti.xcoms = {("up", "v"): 2}
    assert op.xcom_pull({"ti": fake_ti}, task_ids="up", key="v") == 2


def test_xcom_arg_in_a_templated_field_makes_a_dependency() -> None:
    with DAG("d", schedule=None):
        producer = EmptyOperator(task_id="producer")
        consumer = BashOperator(task_id="consumer", bash_command=producer.output)
    assert consumer.upstream_task_ids == {"producer"}


def test_operator_name_and_log_are_available() -> None:
    op = BashOperator(task_id="t", bash_command="true")
    assert op.operator_name == "BashOperator"
    assert op.log.name == "tradewind.task"
