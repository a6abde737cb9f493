"""TaskFlow: @task and its variants create tasks, wire XComArgs and pull them at run time."""

from __future__ import annotations

from typing import Any

import pytest

from tradewind import DAG, XComArg, task
from tradewind.errors import DagDefinitionError, TaskFailure
from tradewind.operators.empty import EmptyOperator


def test_calling_a_task_in_a_dag_returns_an_xcomarg_of_a_new_task() -> None:
    @task
    def extract() -> int:
        return 1

    with DAG("d", schedule=None) as dag:
        result = extract()
    assert isinstance(result, XComArg)
    assert result.operator is dag.get_task("extract")
    assert result.key == "return_value"
    assert result.operator.operator_name == "@task"


def test_passing_a_result_to_another_task_creates_the_dependency_and_pulls_it(fake_ti) -> None:
    @task
    def extract() -> int:
        return 1

    @task
    def load(value: int, extra: int = 0) -> int:
        return value + extra

    with DAG("d", schedule=None) as dag:
        loaded = load(extract(), extra=extract())
    op: Any = loaded.operator
    assert op.upstream_task_ids == {"extract", "extract__1"}
    fake_ti.xcoms = {("extract", "return_value"): 10, ("extract__1", "return_value"): 5}
    assert op.execute({"ti": fake_ti}) == 15
    assert dag.task_ids == ["extract", "extract__1", "load"]


def test_repeated_calls_get_numbered_ids() -> None:
    @task
    def step() -> None:
        pass

    with DAG("d", schedule=None) as dag:
        step()
        step()
        step()
    assert dag.task_ids == ["step", "step__1", "step__2"]


def test_task_id_and_operator_arguments_in_the_decorator() -> None:
    @task(task_id="custom", retries=3, queue="high_cpu")
    def step() -> None:
        pass

    with DAG("d", schedule=None) as dag:
        step()
    op = dag.get_task("custom")
    assert (op.retries, op.queue) == (3, "high_cpu")


def test_override_changes_options_for_one_call() -> None:
    @task(retries=1)
    def step() -> None:
        pass

    with DAG("d", schedule=None) as dag:
        step.override(task_id="first", retries=4)()
        step()
    assert dag.get_task("first").retries == 4
    assert dag.get_task("step").retries == 1


def test_dag_default_args_apply_to_taskflow_tasks() -> None:
    @task
    def step() -> None:
        pass

    with DAG("d", schedule=None, default_args={"retries": 2}) as dag:
        step()
    assert dag.get_task("step").retries == 2


def test_context_values_are_passed_by_parameter_name(fake_ti) -> None:
    @task
    def show(x: int, ds: str | None = None, ti: Any = None) -> tuple[Any, ...]:
        return x, ds, ti

    with DAG("d", schedule=None):
        op: Any = show(1).operator
    assert op.execute({"ti": fake_ti, "ds": "2024-01-01", "run_id": "r"}) == (
        1,
        "2024-01-01",
        fake_ti,
    )


def test_kwargs_receive_the_whole_context(fake_ti) -> None:
    @task
    def show(**context: Any) -> list[str]:
        return sorted(context)

    with DAG("d", schedule=None):
        op: Any = show().operator
    assert op.execute({"ti": fake_ti, "ds": "x"}) == ["ds", "ti"]


def test_a_call_that_does_not_fit_the_function_is_refused_at_declaration() -> None:
    @task
    def needs_two(a: int, b: int) -> None:
        pass

    with DAG("d", schedule=None):
        with pytest.raises(DagDefinitionError, match="needs_two"):
            needs_two(1)


def test_multiple_outputs_returns_the_dict_and_keys_are_xcomargs(fake_ti) -> None:
    @task(multiple_outputs=True)
    def split() -> dict[str, int]:
        return {"a": 1, "b": 2}

    @task
    def use(value: int) -> int:
        return value

    with DAG("d", schedule=None):
        parts = split()
        used = use(parts["b"])
    op: Any = parts.operator
    assert op.execute({"ti": fake_ti}) == {"a": 1, "b": 2}
    assert op.multiple_outputs is True
    assert used.operator.upstream_task_ids == {"split"}
    fake_ti.xcoms = {("split", "b"): 2}
    assert used.operator.execute({"ti": fake_ti}) == 2


def test_multiple_outputs_is_inferred_from_a_dict_return_annotation() -> None:
    @task
    def typed() -> dict[str, int]:
        return {}

    @task
    def untyped():
        return {}

    assert typed.multiple_outputs is True
    assert untyped.multiple_outputs is False


def test_multiple_outputs_with_a_non_dict_result_fails_the_task(fake_ti) -> None:
    @task(multiple_outputs=True)
    def wrong() -> Any:
        return [1]

    with DAG("d", schedule=None):
        op: Any = wrong().operator
    with pytest.raises(TaskFailure, match="expected dictionary"):
        op.execute({"ti": fake_ti})


def test_xcomarg_supports_dependency_operators() -> None:
    @task
    def first() -> None:
        pass

    with DAG("d", schedule=None) as dag:
        done = EmptyOperator(task_id="done")
        first() >> done
    assert dag.get_task("done").upstream_task_ids == {"first"}


def test_xcomarg_resolves_through_the_task_instance(fake_ti) -> None:
    with DAG("d", schedule=None):
        op = EmptyOperator(task_id="t")
    fake_ti.xcoms = {("t", "return_value"): 3, ("t", "other"): 4}
    assert op.output.resolve({"ti": fake_ti}) == 3
    assert op.output["other"].resolve({"ti": fake_ti}) == 4
    with pytest.raises(TypeError):
        iter(op.output)


def test_branch_decorator_skips_the_branches_not_taken(fake_ti) -> None:
    @task.branch
    def choose() -> str:
        return "left"

    with DAG("d", schedule=None):
        chooser = choose()
        left = EmptyOperator(task_id="left")
        right = EmptyOperator(task_id="right")
        chooser >> [left, right]
    op: Any = chooser.operator
    assert op.operator_name == "@task.branch"
    assert op.execute({"ti": fake_ti}) == "left"
    assert fake_ti.skipped == {"right"}


def test_short_circuit_decorator_skips_everything_downstream_when_falsy(fake_ti) -> None:
    @task.short_circuit
    def check() -> bool:
        return False

    with DAG("d", schedule=None):
        gate = check()
        a = EmptyOperator(task_id="a")
        b = EmptyOperator(task_id="b")
        gate >> a >> b
    assert gate.operator.execute({"ti": fake_ti}) is False
    assert fake_ti.skipped == {"a", "b"}


def test_short_circuit_decorator_takes_operator_options(fake_ti) -> None:
    @task.short_circuit(ignore_downstream_trigger_rules=False)
    def check() -> bool:
        return False

    with DAG("d", schedule=None):
        gate = check()
        a = EmptyOperator(task_id="a")
        b = EmptyOperator(task_id="b")
        gate >> a >> b
    gate.operator.execute({"ti": fake_ti})
    assert fake_ti.skipped == {"a"}


def test_bash_decorator_runs_the_returned_command(fake_ti) -> None:
    @task.bash
    def say(word: str) -> str:
        return f"echo {word}"

    with DAG("d", schedule=None):
        op: Any = say("hello").operator
    assert op.operator_name == "@task.bash"
    assert op.execute({"ti": fake_ti}) == "hello"


def test_bash_decorator_refuses_an_empty_command(fake_ti) -> None:
    @task.bash
    def nothing() -> str:
        return " "

    with DAG("d", schedule=None):
        op: Any = nothing().operator
    with pytest.raises(TaskFailure, match="non-empty"):
        op.execute({"ti": fake_ti})


def test_the_raw_function_stays_callable() -> None:
    @task
    def add(a: int, b: int) -> int:
        return a + b

    assert add.function(1, 2) == 3
    assert add.__name__ == "add"


def test_unsupported_decorators_say_so() -> None:
    with pytest.raises(AttributeError, match="not supported"):
        task.docker  # noqa: B018


def test_bash_decorator_renders_the_returned_command(fake_ti) -> None:
    @task.bash
    def templated() -> str:
        return "echo {{ params.word }}"

    with DAG("d", schedule=None):
        op: Any = templated().operator
    assert op.execute({"ti": fake_ti, "params": {"word": "rendered"}}) == "rendered"
