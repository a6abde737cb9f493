"""Operators executed directly with a hand-built context (the runtime is tested elsewhere)."""

from __future__ import annotations

import os
import threading
import time
from datetime import UTC, datetime
from datetime import time as dt_time
from pathlib import Path
from typing import Any

import pytest

from tradewind import DAG, TaskGroup
from tradewind.errors import DagDefinitionError, TaskFailure, TaskSkipped
from tradewind.operators import (
    BaseBranchOperator,
    BashOperator,
    BranchDateTimeOperator,
    BranchDayOfWeekOperator,
    BranchPythonOperator,
    DummyOperator,
    EmptyOperator,
    PythonOperator,
    ShortCircuitOperator,
)
from tradewind.utils.weekday import WeekDay


def _wait_for(condition: Any, timeout: float = 10.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError("condition not met in time")
        time.sleep(0.02)


# -- BashOperator ----------------------------------------------------------------------------
def test_bash_returns_the_last_line_of_output(fake_ti) -> None:
    op = BashOperator(task_id="t", bash_command="echo first; echo last >&2")
    assert op.execute({"ti": fake_ti}) == "last"


def test_bash_template_settings_match_airflow() -> None:
    assert BashOperator.template_fields == ("bash_command", "env", "cwd")
    assert ".sh" in BashOperator.template_ext


def test_bash_env_replaces_the_environment_unless_append_env(fake_ti, monkeypatch) -> None:
    monkeypatch.setenv("FROM_PARENT", "parent")
    only = BashOperator(
        task_id="a", bash_command='echo "${FROM_PARENT:-unset}-$MINE"', env={"MINE": "x"}
    )
    both = BashOperator(
        task_id="b", bash_command='echo "$FROM_PARENT-$MINE"', env={"MINE": "x"}, append_env=True
    )
    inherited = BashOperator(task_id="c", bash_command='echo "$FROM_PARENT"')
    assert only.execute({"ti": fake_ti}) == "unset-x"
    assert both.execute({"ti": fake_ti}) == "parent-x"
    assert inherited.execute({"ti": fake_ti}) == "parent"


def test_bash_exports_the_try_context(fake_ti) -> None:
    with DAG("ctx_dag", schedule=None) as dag:
        op = BashOperator(
            task_id="t", bash_command='echo "$AIRFLOW_CTX_DAG_ID/$TRADEWIND_CTX_TASK_ID"'
        )
    assert op.execute({"ti": fake_ti, "dag": dag, "task": op}) == "ctx_dag/t"


def test_bash_runs_in_cwd_or_a_temporary_directory(fake_ti, tmp_path: Path) -> None:
    assert BashOperator(task_id="a", bash_command="pwd", cwd=str(tmp_path)).execute(
        {"ti": fake_ti}
    ) == str(tmp_path)
    temp = BashOperator(task_id="b", bash_command="pwd").execute({"ti": fake_ti})
    assert "tradewindtmp" in temp and not os.path.exists(temp)


def test_bash_refuses_a_missing_cwd(fake_ti, tmp_path: Path) -> None:
    op = BashOperator(task_id="t", bash_command="true", cwd=str(tmp_path / "missing"))
    with pytest.raises(TaskFailure, match="cwd"):
        op.execute({"ti": fake_ti})


def test_bash_exit_99_skips_and_other_codes_fail_naming_the_code(fake_ti) -> None:
    with pytest.raises(TaskSkipped, match="exit code 99"):
        BashOperator(task_id="a", bash_command="exit 99").execute({"ti": fake_ti})
    with pytest.raises(TaskFailure, match="non-zero exit code 3"):
        BashOperator(task_id="b", bash_command="exit 3").execute({"ti": fake_ti})


def test_bash_skip_on_exit_code_is_configurable(fake_ti) -> None:
    with pytest.raises(TaskSkipped):
        BashOperator(task_id="a", bash_command="exit 5", skip_on_exit_code=[5, 6]).execute(
            {"ti": fake_ti}
        )
    with pytest.raises(TaskFailure, match="99"):
        BashOperator(task_id="b", bash_command="exit 99", skip_on_exit_code=None).execute(
            {"ti": fake_ti}
        )


def test_bash_decodes_with_output_encoding(fake_ti) -> None:
    op = BashOperator(task_id="t", bash_command="printf 'caf\\xe9\\n'", output_encoding="latin-1")
    assert op.execute({"ti": fake_ti}) == "café"


def test_bash_on_kill_kills_the_whole_process_group(fake_ti, tmp_path: Path) -> None:
    child_file = tmp_path / "child"
    op = BashOperator(
        task_id="t", bash_command=f"sleep 60 & echo $! > {child_file}; wait", skip_on_exit_code=None
    )
    errors: list[BaseException] = []

    def run() -> None:
        try:
            op.execute({"ti": fake_ti})
        except BaseException as exc:  # noqa: BLE001 - collected for the assertion
            errors.append(exc)

    thread = threading.Thread(target=run)
    thread.start()
    _wait_for(lambda: child_file.exists() and child_file.read_text().strip())
    child = int(child_file.read_text())
    op.on_kill()
    thread.join(timeout=10)
    assert not thread.is_alive()
    assert errors and isinstance(errors[0], TaskFailure)

    def child_gone() -> bool:
        try:
            os.kill(child, 0)
        except ProcessLookupError:
            return True
        return False

    _wait_for(child_gone)


# -- PythonOperator --------------------------------------------------------------------------
def test_python_operator_passes_op_args_op_kwargs_and_named_context(fake_ti) -> None:
    def fn(a: int, b: int, ds: str, ti: Any) -> tuple[Any, ...]:
        return a, b, ds, ti

    op = PythonOperator(task_id="t", python_callable=fn, op_args=[1], op_kwargs={"b": 2})
    assert op.execute({"ti": fake_ti, "ds": "2024-01-01", "unused": 0}) == (
        1,
        2,
        "2024-01-01",
        fake_ti,
    )


def test_python_operator_gives_the_whole_context_to_kwargs(fake_ti) -> None:
    op = PythonOperator(task_id="t", python_callable=lambda **kw: sorted(kw), op_kwargs={"x": 1})
    assert op.execute({"ti": fake_ti, "ds": "d"}) == ["ds", "ti", "x"]


def test_python_operator_computes_only_the_lazy_context_entries_its_callable_names(
    fake_ti,
) -> None:
    from tradewind.runtime.context import Context

    computed: list[str] = []

    def lazy(name: str) -> Any:
        return lambda: computed.append(name) or f"<{name}>"

    context = Context(
        {"ti": fake_ti},
        {"prev_start_date_success": lazy("prev"), "expanded_ti_count": lazy("count")},
    )
    op = PythonOperator(task_id="t", python_callable=lambda prev_start_date_success: 1)
    assert op.execute(context) == 1
    assert computed == ["prev"]
    assert PythonOperator(task_id="n", python_callable=lambda: 2).execute(context) == 2
    assert computed == ["prev"]


def test_python_operator_passes_templates_dict(fake_ti) -> None:
    op = PythonOperator(
        task_id="t", python_callable=lambda templates_dict: templates_dict, templates_dict={"a": 1}
    )
    assert op.execute({"ti": fake_ti}) == {"a": 1}


def test_python_operator_resolves_xcomargs_in_its_arguments(fake_ti) -> None:
    with DAG("d", schedule=None):
        source = EmptyOperator(task_id="source")
        op = PythonOperator(
            task_id="t",
            python_callable=lambda a, b: (a, b),
            op_args=[source.output],
            op_kwargs={"b": [source.output["k"]]},
        )
    assert op.upstream_task_ids == {"source"}
    fake_ti.xcoms = {("source", "return_value"): 1, ("source", "k"): 2}
    assert op.execute({"ti": fake_ti}) == (1, [2])


def test_python_operator_refuses_a_positional_name_also_given_by_keyword(fake_ti) -> None:
    op = PythonOperator(
        task_id="t", python_callable=lambda ds: ds, op_args=["x"], op_kwargs={"ds": "y"}
    )
    with pytest.raises(TaskFailure, match="reserved"):
        op.execute({"ti": fake_ti})


def test_python_operator_needs_a_callable() -> None:
    with pytest.raises(Exception, match="must be callable"):
        PythonOperator(task_id="t", python_callable="not callable")


# -- branching and short-circuit -------------------------------------------------------------
def _branch_dag(choice: Any) -> tuple[BranchPythonOperator, DAG]:
    with DAG("branchy", schedule=None) as dag:
        branch = BranchPythonOperator(task_id="branch", python_callable=lambda: choice)
        left = EmptyOperator(task_id="left")
        right = EmptyOperator(task_id="right")
        with TaskGroup("grp") as grp:
            first = EmptyOperator(task_id="first")
            first >> EmptyOperator(task_id="second")
        join = EmptyOperator(task_id="join", trigger_rule="none_failed_min_one_success")
        branch >> [left, right, grp]
        left >> join
        branch >> join
    return branch, dag


def test_branch_skips_direct_downstream_tasks_not_chosen(fake_ti) -> None:
    branch, _ = _branch_dag("left")
    assert branch.execute({"ti": fake_ti}) == "left"
    assert fake_ti.skipped == {"right", "grp.first"}


def test_branch_to_a_task_group_follows_its_roots(fake_ti) -> None:
    branch, _ = _branch_dag("grp")
    branch.execute({"ti": fake_ti})
    assert fake_ti.skipped == {"left", "right", "join"}


def test_branch_returning_several_ids_follows_them_all(fake_ti) -> None:
    branch, _ = _branch_dag(["left", "right"])
    branch.execute({"ti": fake_ti})
    assert fake_ti.skipped == {"grp.first"}


def test_branch_returning_none_skips_every_direct_downstream(fake_ti) -> None:
    branch, _ = _branch_dag(None)
    branch.execute({"ti": fake_ti})
    assert fake_ti.skipped == {"left", "right", "grp.first", "join"}


def test_branch_to_an_unknown_task_fails(fake_ti) -> None:
    branch, _ = _branch_dag("nowhere")
    with pytest.raises(TaskFailure, match="nowhere"):
        branch.execute({"ti": fake_ti})


def test_base_branch_operator_uses_choose_branch(fake_ti) -> None:
    class Choose(BaseBranchOperator):
        def choose_branch(self, context: dict[str, Any]) -> str:
            return "b"

    with DAG("d", schedule=None):
        op = Choose(task_id="choose")
        op >> [EmptyOperator(task_id="a"), EmptyOperator(task_id="b")]
    op.execute({"ti": fake_ti})
    assert fake_ti.skipped == {"a"}


def test_short_circuit_truthy_skips_nothing(fake_ti) -> None:
    with DAG("d", schedule=None):
        op = ShortCircuitOperator(task_id="sc", python_callable=lambda: "yes")
        op >> EmptyOperator(task_id="a")
    assert op.execute({"ti": fake_ti}) == "yes"
    assert fake_ti.skipped == set()


def test_short_circuit_falsy_skips_all_downstream_by_default(fake_ti) -> None:
    with DAG("d", schedule=None):
        op = ShortCircuitOperator(task_id="sc", python_callable=lambda: 0)
        op >> EmptyOperator(task_id="a") >> EmptyOperator(task_id="b")
    op.execute({"ti": fake_ti})
    assert fake_ti.skipped == {"a", "b"}


def test_short_circuit_respecting_trigger_rules_skips_only_direct_downstream(fake_ti) -> None:
    with DAG("d", schedule=None):
        op = ShortCircuitOperator(
            task_id="sc", python_callable=lambda: [], ignore_downstream_trigger_rules=False
        )
        op >> EmptyOperator(task_id="a") >> EmptyOperator(task_id="b")
    op.execute({"ti": fake_ti})
    assert fake_ti.skipped == {"a"}


def test_dummy_operator_is_an_empty_operator() -> None:
    op = DummyOperator(task_id="t")
    assert isinstance(op, EmptyOperator)
    assert op.execute({}) is None


# -- date and weekday branches ---------------------------------------------------------------
def _date_branch_dag(op_factory: Any) -> Any:
    with DAG("dates", schedule=None):
        op = op_factory()
        op >> [EmptyOperator(task_id="yes"), EmptyOperator(task_id="no")]
    return op


@pytest.mark.parametrize(
    ("logical_date", "skipped"),
    [
        (datetime(2024, 1, 1, 10, 30, tzinfo=UTC), {"no"}),
        (datetime(2024, 1, 1, 8, 0, tzinfo=UTC), {"yes"}),
        (datetime(2024, 1, 1, 23, 0, tzinfo=UTC), {"yes"}),
    ],
)
def test_branch_datetime_follows_the_window(fake_ti, logical_date: datetime, skipped) -> None:
    op = _date_branch_dag(
        lambda: BranchDateTimeOperator(
            task_id="when",
            follow_task_ids_if_true="yes",
            follow_task_ids_if_false="no",
            target_lower=dt_time(10, 0),
            target_upper=dt_time(11, 0),
            use_task_logical_date=True,
        )
    )
    op.execute({"ti": fake_ti, "logical_date": logical_date})
    assert fake_ti.skipped == skipped


def test_branch_datetime_window_across_midnight(fake_ti) -> None:
    op = _date_branch_dag(
        lambda: BranchDateTimeOperator(
            task_id="when",
            follow_task_ids_if_true="yes",
            follow_task_ids_if_false="no",
            target_lower=dt_time(22, 0),
            target_upper=dt_time(2, 0),
            use_task_logical_date=True,
        )
    )
    op.execute({"ti": fake_ti, "logical_date": datetime(2024, 1, 1, 23, 0, tzinfo=UTC)})
    assert fake_ti.skipped == {"no"}


def test_branch_datetime_needs_a_bound() -> None:
    with pytest.raises(DagDefinitionError, match="At least one"):
        BranchDateTimeOperator(
            task_id="t",
            follow_task_ids_if_true="a",
            follow_task_ids_if_false="b",
            target_lower=None,
            target_upper=None,
        )


def test_branch_day_of_week_follows_the_day(fake_ti) -> None:
    op = _date_branch_dag(
        lambda: BranchDayOfWeekOperator(
            task_id="when",
            follow_task_ids_if_true="yes",
            follow_task_ids_if_false="no",
            week_day={"Saturday", WeekDay.SUNDAY},
            use_task_logical_date=True,
        )
    )
    op.execute({"ti": fake_ti, "logical_date": datetime(2024, 1, 6, tzinfo=UTC)})  # a Saturday
    assert fake_ti.skipped == {"no"}
    with pytest.raises(DagDefinitionError, match="Invalid Week Day"):
        WeekDay.validate_week_day("Caturday")
