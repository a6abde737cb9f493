"""Airflow's own example DAGs (and DAGs as Airflow users write them), with only their imports
rewritten, parse without errors and run with ``tradewind dags test`` to the states Airflow gives.

The DAG files live in ``tests/compat/dags/``; each says where it comes from.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from tradewind.cli.errors import run_with_error_boundary
from tradewind.cli.main import cli
from tradewind.parsing.dagbag import DagBag

DAGS = Path(__file__).resolve().parent / "dags"


@pytest.fixture
def dags_test(sqlite_metastore, monkeypatch: pytest.MonkeyPatch, capsys):
    """Run ``tradewind dags test DAG_ID ... -o json`` and return the parsed result."""
    monkeypatch.setenv("TRADEWIND__CORE__DAGS_FOLDER", str(DAGS))

    def _run(dag_id: str, *extra: str, expect_exit: int = 0, refused: bool = False) -> Any:
        code = run_with_error_boundary(cli, ["dags", "test", dag_id, *extra, "-o", "json"])
        out, err = capsys.readouterr()
        assert code == expect_exit, f"dags test {dag_id} exited {code}: {err}\n{out}"
        return err if refused else json.loads(out)

    return _run


@pytest.fixture
def xcom(sqlite_metastore):
    """``xcom(result, task_id, key="return_value", map_index=None)``: a value the run stored."""
    from tradewind.metastore.xcoms import pull_xcom

    def _pull(result: dict, task_id: str, key: str = "return_value", map_index=None) -> Any:
        with sqlite_metastore.session() as session:
            return pull_xcom(
                session, result["dag_id"], result["run_id"], task_id, key, map_index=map_index
            )

    return _pull


def _states(result: dict[str, Any]) -> dict[str, str]:
    out: dict[str, str] = {}
    for t in result["tasks"]:
        key = t["task_id"] if t["map_index"] == -1 else f"{t['task_id']}[{t['map_index']}]"
        out[key] = t["state"]
    return out


def _every(states: dict[str, str], state: str, **but: str) -> dict[str, str]:
    """``states`` as it should be: every task in ``state`` except those named in ``but``."""
    unknown = set(but) - set(states)
    assert not unknown, f"no such tasks: {sorted(unknown)}"
    return {k: but.get(k, state) for k in states}


# -- parsing -------------------------------------------------------------------------------------


def test_every_compat_dag_file_parses_without_import_errors(tw_home) -> None:
    bag = DagBag(str(DAGS))
    assert bag.import_errors == {}
    files = {Path(bag.file_of(dag_id)).name for dag_id in bag.dags}
    assert files == {p.name for p in DAGS.glob("*.py")}, "every file defines at least one DAG"
    assert len(bag.dags) >= 20


def test_documentation_attributes_survive_parsing(tw_home) -> None:
    bag = DagBag(str(DAGS))
    tutorial = bag.dags["tutorial"]
    assert tutorial.doc_md.strip() == "This is a documentation placed anywhere"
    assert tutorial.get_task("print_date").doc_md.startswith("#### Task Documentation")
    assert tutorial.get_task("sleep").retries == 3
    assert tutorial.get_task("print_date").retries == 1  # from default_args
    assert tutorial.get_task("print_date").email == ["airflow@example.com"]
    taskflow = bag.dags["tutorial_taskflow_api"]
    assert "TaskFlow API Tutorial Documentation" in taskflow.doc_md
    assert taskflow.schedule_interval is None


# -- Airflow's example DAGs ----------------------------------------------------------------------


def test_tutorial_renders_ds_and_macros_and_succeeds(dags_test, xcom) -> None:
    result = dags_test("tutorial", "2024-03-01")
    assert result["state"] == "success"
    assert _states(result) == {"print_date": "success", "sleep": "success", "templated": "success"}
    assert xcom(result, "templated") == "2024-03-08"  # last line: {{ macros.ds_add(ds, 7) }}


def test_tutorial_taskflow_api_passes_values_between_tasks(dags_test, xcom) -> None:
    result = dags_test("tutorial_taskflow_api")
    assert _states(result) == {"extract": "success", "transform": "success", "load": "success"}
    assert xcom(result, "transform", "total_order_value") == pytest.approx(1236.7)
    assert xcom(result, "extract") == {"1001": 301.27, "1002": 433.21, "1003": 502.22}


def test_example_bash_operator_skips_on_exit_code_99(dags_test, xcom) -> None:
    result = dags_test("example_bash_operator", "2024-01-02")
    states = _states(result)
    assert result["state"] == "success"
    assert states == _every(states, "success", this_will_skip="skipped", run_this_last="skipped")
    assert xcom(result, "runme_0") == "example_bash_operator__runme_0__20240102"
    assert xcom(result, "also_run_this").startswith(f"run_id={result['run_id']} | dag_run=")


def test_example_branch_operator_follows_one_random_branch(dags_test, xcom) -> None:
    result = dags_test("example_branch_operator")
    states = _states(result)
    chosen = xcom(result, "branching")
    assert chosen in {"branch_a", "branch_b", "branch_c", "branch_d"}
    skipped = {
        t: "skipped"
        for option in ("branch_a", "branch_b", "branch_c", "branch_d")
        if option != chosen
        for t in (option, f"follow_{option}")
    }
    assert result["state"] == "success"
    assert states == _every(states, "success", **skipped)


def test_example_branch_labels_links_through_labels(dags_test) -> None:
    result = dags_test("example_branch_labels")
    states = _states(result)
    assert len(states) == 7
    assert states == _every(states, "success")


def test_example_short_circuit_operator_respects_downstream_trigger_rules(dags_test) -> None:
    result = dags_test("example_short_circuit_operator")
    states = _states(result)
    assert result["state"] == "success"
    assert states == _every(
        states,
        "success",
        false_1="skipped",
        false_2="skipped",
        task_4="skipped",  # directly downstream of the short circuit
        task_6="skipped",  # all_success after a skip
        # task_7 is all_done: it still runs
    )


def test_example_skip_dag_joins_by_trigger_rule(dags_test) -> None:
    result = dags_test("example_skip_dag")
    states = _states(result)
    assert result["state"] == "success"
    assert states == _every(
        states,
        "success",
        skip_operator_1="skipped",
        all_success="skipped",
        final_1="skipped",
        skip_operator_2="skipped",
    )


def test_example_nested_branch_dag_skips_the_inner_join(dags_test) -> None:
    result = dags_test("example_nested_branch_dag")
    states = _states(result)
    assert result["state"] == "success"
    assert states == {
        "branch_1": "success",
        "true_1": "success",
        "false_1": "skipped",
        "branch_2": "skipped",
        "true_2": "skipped",
        "false_2": "skipped",
        "join_2": "skipped",
        "false_3": "skipped",
        "join_1": "success",
    }


def test_example_xcom_pushes_and_pulls_from_bash_and_python(dags_test, xcom) -> None:
    result = dags_test("example_xcom")
    states = _states(result)
    assert result["state"] == "success", states  # puller raises if a value differs
    assert states == _every(states, "success")
    assert xcom(result, "bash_push") == "value_by_return"
    assert xcom(result, "bash_push", "manually_pushed_value") == "manually_pushed_value"
    assert xcom(result, "push", "value from pusher 1") == [1, 2, 3]
    assert xcom(result, "bash_pull") is None  # do_xcom_push=False


@pytest.mark.parametrize(
    ("dag_id", "expected"),
    [
        ("example_xcom_args", {"generate_value", "print_value"}),
        ("example_xcom_args_with_operators", {"c", "print_value", "print_value__1", "d"}),
    ],
)
def test_example_xcomargs_chains_taskflow_and_classic_tasks(
    dags_test, dag_id: str, expected: set[str]
) -> None:
    result = dags_test(dag_id)
    assert _states(result) == dict.fromkeys(expected, "success")


def test_example_xcomargs_with_operators_orders_the_chain(tw_home) -> None:
    dag = DagBag(str(DAGS)).dags["example_xcom_args_with_operators"]
    assert dag.get_task("print_value").upstream_task_ids == {"c"}
    assert dag.get_task("print_value__1").upstream_task_ids == {"print_value"}
    assert dag.get_task("d").upstream_task_ids == {"print_value__1"}


def test_example_dynamic_task_mapping_expands_literal_and_upstream_lists(dags_test, xcom) -> None:
    result = dags_test("example_dynamic_task_mapping")
    assert _states(result) == {
        "add_one[0]": "success",
        "add_one[1]": "success",
        "add_one[2]": "success",
        "sum_it": "success",
    }
    assert xcom(result, "add_one") == [2, 3, 4]
    second = dags_test("example_task_mapping_second_order")
    states = _states(second)
    assert states == _every(states, "success")
    assert sum(1 for k in states if k.startswith("add_10[")) == 3
    assert xcom(second, "add_10") == [12, 14, 16]


def test_mapping_classic_operators_reduces_over_output(dags_test, xcom) -> None:
    result = dags_test("example_dynamic_task_mapping_with_no_taskflow_operators")
    assert _states(result) == {
        "add_one[0]": "success",
        "add_one[1]": "success",
        "add_one[2]": "success",
        "sum_it": "success",
    }
    assert xcom(result, "sum_it") == 9


def test_example_task_group_prefixes_ids_and_links_groups(dags_test, tw_home) -> None:
    dag = DagBag(str(DAGS)).dags["example_task_group"]
    assert dag.get_task("section_2.inner_section_2.task_4").upstream_task_ids == {
        "section_2.inner_section_2.task_2",
        "section_2.inner_section_2.task_3",
    }
    # section_1 >> section_2: every leaf of one precedes every root of the other
    assert dag.get_task("section_2.task_1").upstream_task_ids == {
        "section_1.task_2",
        "section_1.task_3",
    }
    assert dag.get_task("end").upstream_task_ids == {
        "section_2.task_1",
        "section_2.inner_section_2.task_4",
    }
    result = dags_test("example_task_group")
    states = _states(result)
    assert len(states) == 9
    assert states == _every(states, "success")


def test_example_task_group_decorator_makes_unique_group_ids(dags_test, xcom) -> None:
    result = dags_test("example_task_group_decorator")
    states = _states(result)
    assert len(states) == 2 + 5 * 3
    assert states == _every(states, "success")
    assert "task_group_function__4.task_3" in states
    assert xcom(result, "task_group_function__2.task_2") == "[ Task2 [ Task1 2 ] ]"


def test_trigger_controller_creates_a_run_of_the_target_with_its_conf(
    dags_test, sqlite_metastore
) -> None:
    from sqlalchemy import select

    from tradewind.metastore.models import DagRun

    # as in Airflow, the target must be known to the metastore (here: from an earlier test run)
    dags_test("example_trigger_target_dag", "2024-01-01", "--conf", '{"message": "earlier"}')
    result = dags_test("example_trigger_controller_dag")
    assert _states(result) == {"test_trigger_dagrun": "success"}
    with sqlite_metastore.session() as session:
        runs = session.execute(
            select(DagRun)
            .where(DagRun.dag_id == "example_trigger_target_dag")
            .order_by(DagRun.logical_date)
        ).scalars()
        assert [(run.conf, run.run_type) for run in runs] == [
            ({"message": "earlier"}, "manual"),
            ({"message": "Hello World"}, "manual"),
        ]


def test_trigger_target_reads_dag_run_conf_in_python_and_templates(dags_test, xcom) -> None:
    result = dags_test("example_trigger_target_dag", "--conf", '{"message": "Hello World"}')
    assert _states(result) == {"run_this": "success", "bash_task": "success"}
    assert xcom(result, "bash_task") == "Here is the message: Hello World"


def test_params_from_task_and_conf_reach_python_and_bash(dags_test, xcom) -> None:
    result = dags_test("example_passing_params_via_test_command", "--conf", '{"foo": "bar"}')
    states = _states(result)
    assert states == _every(states, "success")
    assert xcom(result, "run_this") == 1
    assert xcom(result, "also_run_this") == "'miff' was passed in via BashOperator with value 'agg'"


def test_an_undefined_param_in_a_template_fails_the_task_as_airflow_strict_undefined(
    dags_test,
) -> None:
    result = dags_test("example_passing_params_via_test_command", expect_exit=1)
    states = _states(result)
    assert states["also_run_this"] == "failed"  # {{ params.foo }} without foo
    assert states["run_this"] == "success"


def test_example_datasets_producers_run_and_consumers_are_dataset_scheduled(
    dags_test, tw_home
) -> None:
    bag = DagBag(str(DAGS))
    assert bag.dags["dataset_consumes_1_and_2"].schedule_spec.kind == "datasets"
    assert [d.uri for d in bag.dags["dataset_consumes_1_and_2"].dataset_triggers] == [
        "s3://dag1/output_1.txt",
        "s3://dag2/output_1.txt",
    ]
    assert bag.dags["dataset_produces_1"].get_task("producing_task_1").outlets[0].extra == {
        "hi": "bye"
    }
    for dag_id in sorted(d for d in bag.dags if d.startswith("dataset_")):
        result = dags_test(dag_id)
        assert result["state"] == "success", dag_id


def test_example_python_operator_passes_ds_and_op_kwargs(dags_test, xcom) -> None:
    result = dags_test("example_python_operator")
    states = _states(result)
    assert len(states) == 6
    assert states == _every(states, "success")
    assert xcom(result, "print_the_context") == "Whatever you return gets printed in the logs"


def test_latest_only_lets_a_manual_run_through(dags_test) -> None:
    result = dags_test("latest_only")
    assert _states(result) == {"latest_only": "success", "task1": "success"}


# -- DAGs as Airflow users write them --------------------------------------------------------------


def test_legacy_etl_with_provide_context_templates_dict_and_variables(
    dags_test, xcom, monkeypatch: pytest.MonkeyPatch
) -> None:
    result = dags_test("legacy_etl", "2024-05-01", "--conf", '{"rows": [1, 2]}')
    assert _states(result) == {"extract": "success", "transform": "success", "load": "success"}
    assert xcom(result, "transform") == {"ds": "2024-05-01", "table": "orders", "total": 30}
    assert xcom(result, "load") == (
        "loaded 30 into orders for 2024-05-01 with conf {'rows': [1, 2]}"
    )
    monkeypatch.setenv("TRADEWIND_VAR_ETL_FACTOR", "3")
    again = dags_test("legacy_etl", "2024-05-02")
    assert xcom(again, "transform")["total"] == 18


def test_legacy_etl_default_args_reach_every_task(tw_home) -> None:
    dag = DagBag(str(DAGS)).dags["legacy_etl"]
    task = dag.get_task("load")
    assert (task.owner, task.retries, task.priority_weight) == ("data-eng", 1, 10)
    assert task.email == ["data-eng@example.com"] and task.email_on_failure is False
    assert task.on_failure_callback.__name__ == "notify_failure"
    assert task.executor_config == {"KubernetesExecutor": {"request_cpu": "1"}}
    assert dag.doc_md.lstrip().startswith("# Legacy ETL")
    assert dag.start_date is not None and dag.schedule_interval is None


def test_report_fanout_branches_to_a_list_skips_and_joins(dags_test) -> None:
    result = dags_test("report_fanout")
    states = _states(result)
    assert result["state"] == "success"
    assert states == _every(
        states,
        "success",
        region_apac="skipped",  # not chosen by the branch
        check_apac="skipped",
        check_us="skipped",  # AirflowSkipException
    )
    assert len(states) == 16


def test_report_fanout_dependencies_from_chain_and_cross_downstream(tw_home) -> None:
    dag = DagBag(str(DAGS)).dags["report_fanout"]
    assert dag.get_task("check_eu").upstream_task_ids == {"region_eu"}
    assert dag.get_task("join").upstream_task_ids == {"check_eu", "check_us", "check_apac"}
    assert dag.get_task("archive_raw").upstream_task_ids == {"publish_dashboard", "publish_email"}
    assert dag.get_task("cleanup_2").upstream_task_ids == {"cleanup_1"}


def test_orders_taskflow_mixes_mapping_groups_and_classic_operators(dags_test, xcom) -> None:
    result = dags_test("orders_taskflow")
    states = _states(result)
    assert result["state"] == "success", states
    assert states == _every(states, "success")
    mapped_sizes = {k for k in states if k.startswith("file_size[")}
    assert mapped_sizes == {f"file_size[{i}]" for i in range(4)}
    assert {"announce[0]", "announce[1]", "to_s3", "to_db", "notify"} <= set(states)
    assert xcom(result, "count_files") == 4  # a native list through render_template_as_native_obj
    assert xcom(result, "clean.drop_small") == [6, 7, 10]
    assert xcom(result, "report") == {"total": 46, "task": "report"}
    assert xcom(result, "announce") == ["one", "two"]


def test_orders_taskflow_structure(tw_home) -> None:
    dag = DagBag(str(DAGS)).dags["orders_taskflow"]
    assert dag.get_task("clean.total").upstream_task_ids == {"clean.drop_small"}
    assert dag.get_task("report").upstream_task_ids == {"clean.total"}
    assert dag.get_task("to_s3").upstream_task_ids == {"report"}  # through the Label
    assert dag.get_task("notify").upstream_task_ids == {"to_s3", "to_db"}
    assert dag.get_task("file_size").upstream_task_ids == {"list_files"}
    assert dag.get_task("announce").upstream_task_ids == {"make_commands", "report"}
    assert dag.get_task("report").retries == 2
    assert dag.params["multiplier"] == 2


def test_flaky_dag_retries_fails_without_retry_and_calls_back(
    dags_test, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    record = tmp_path / "callbacks.txt"
    monkeypatch.setenv("COMPAT_CALLBACK_FILE", str(record))
    result = dags_test("flaky_with_callbacks", expect_exit=1)
    assert result["state"] == "failed"
    tries = {t["task_id"]: (t["state"], t["try_number"]) for t in result["tasks"]}
    assert tries == {
        "flaky": ("success", 2),
        "broken": ("failed", 1),  # AirflowFailException: no retry
        "after_broken": ("upstream_failed", 0),
        "report": ("upstream_failed", 0),
        "cleanup": ("success", 1),  # all_done
    }
    lines = record.read_text().splitlines()
    assert "task_retry flaky try=1" in lines
    assert any(line.startswith("task_failed broken try=1 error=bad input") for line in lines)
    assert any(line.startswith("dag_failed flaky_with_callbacks") for line in lines)
    assert not any("task_failed flaky" in line for line in lines)


def test_airflow3_style_dag_with_assets_and_logical_date(dags_test, xcom, tw_home) -> None:
    result = dags_test("asset_producer_af3", "2024-06-01")
    assert _states(result) == {"fetch": "success", "check": "success", "show": "success"}
    assert xcom(result, "check") == "2024-06-01"
    assert xcom(result, "show") == "2024-06-01"
    consumer = DagBag(str(DAGS)).dags["asset_consumer_af3"]
    assert [d.uri for d in consumer.dataset_triggers] == ["s3://warehouse/raw/orders.parquet"]
    assert dags_test("asset_consumer_af3")["state"] == "success"


def test_sensors_wait_poke_and_soft_fail(
    dags_test, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("COMPAT_LANDING_DIR", str(tmp_path))
    result = dags_test("sensors_pipeline", "2024-02-03")
    states = _states(result)
    assert states == _every(states, "success", never_ready="skipped")
    assert (tmp_path / "orders_20240203.csv").exists()


def test_example_params_trigger_ui_branches_into_mapped_tasks(dags_test, xcom) -> None:
    result = dags_test("example_params_trigger_ui", "--conf", '{"french": false}')
    states = _states(result)
    assert result["state"] == "success"
    assert states == _every(states, "success", generate_french_greeting="skipped")
    assert {k for k in states if k.startswith("generate_german_greeting[")} == {
        f"generate_german_greeting[{i}]" for i in range(3)
    }
    assert xcom(result, "select_languages") == [
        "generate_english_greeting",
        "generate_german_greeting",
    ]
    assert xcom(result, "generate_english_greeting") == [
        "Hello Linda!",
        "Hello Martha!",
        "Hello Thomas!",
    ]


def test_example_params_trigger_ui_refuses_conf_that_breaks_a_param(dags_test) -> None:
    err = dags_test(
        "example_params_trigger_ui",
        "--conf",
        '{"english": "yes please"}',
        expect_exit=1,
        refused=True,
    )
    assert "english" in err and "Traceback" not in err


def test_example_branch_decorator_follows_one_random_branch(dags_test, xcom) -> None:
    result = dags_test("example_branch_python_operator_decorator")
    states = _states(result)
    chosen = xcom(result, "branching")
    skipped = {
        t: "skipped"
        for option in ("branch_a", "branch_b", "branch_c", "branch_d")
        if option != chosen
        for t in (option, f"follow_{option}")
    }
    assert len(skipped) == 6
    assert states == _every(states, "success", **skipped)


def test_example_short_circuit_decorator_matches_the_classic_operator(dags_test) -> None:
    result = dags_test("example_short_circuit_decorator")
    states = _states(result)
    assert result["state"] == "success"
    assert states == _every(
        states,
        "success",
        false_1="skipped",
        false_2="skipped",
        task_4="skipped",
        task_6="skipped",
    )
