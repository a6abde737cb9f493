"""Airflow's setup/teardown example DAGs (and a failing variant as Airflow 2.7+ users write it)
run with ``tradewind dags test`` to the task and run states Airflow gives."""

from __future__ import annotations

from tradewind.parsing.dagbag import DagBag

from .test_airflow_examples import DAGS, _every, _states, dags_test  # noqa: F401


def test_example_setup_teardown_runs_every_task(dags_test) -> None:  # noqa: F811
    result = dags_test("example_setup_teardown")
    states = _states(result)
    assert result["state"] == "success"
    assert states == _every(states, "success")
    assert set(states) == {
        "root_setup",
        "normal",
        "root_teardown",
        "section_1.taskgroup_setup",
        "section_1.normal",
        "section_1.taskgroup_teardown",
    }


def test_example_setup_teardown_taskflow_runs_every_task(dags_test) -> None:  # noqa: F811
    result = dags_test("example_setup_teardown_taskflow")
    states = _states(result)
    assert result["state"] == "success"
    assert states == _every(states, "success")
    assert len(states) == 9


def test_example_setup_teardown_taskflow_wires_the_with_block_as_airflow(tw_home) -> None:
    dag = DagBag(str(DAGS)).dags["example_setup_teardown_taskflow"]

    def up(task_id: str) -> set[str]:
        return dag.get_task(task_id).upstream_task_ids

    assert up("my_third_task") == {"my_first_task", "my_second_task"}
    assert dag.get_task("my_first_task").is_setup and dag.get_task("my_third_task").is_teardown
    assert up("outer_work") == {"outer_setup"}
    assert up("section_1.inner_setup") == {"outer_setup"}
    assert up("outer_teardown") == {"outer_setup", "outer_work", "section_1.inner_teardown"}
    assert up("section_1.inner_teardown") == {"section_1.inner_setup", "section_1.inner_work"}


def test_a_teardown_runs_after_its_work_failed_and_the_run_fails_by_the_work(
    dags_test,  # noqa: F811
) -> None:
    result = dags_test("setup_teardown_failing_work", expect_exit=1)
    assert result["state"] == "failed"
    assert _states(result) == {
        "create_cluster": "success",
        "work": "failed",
        "delete_cluster": "success",
    }


def test_a_failed_teardown_leaves_the_run_successful(dags_test) -> None:  # noqa: F811
    result = dags_test("setup_teardown_failing_teardown")
    assert result["state"] == "success"
    assert _states(result) == {
        "open_session": "success",
        "use": "success",
        "close_session": "failed",
    }
