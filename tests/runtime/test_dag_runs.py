"""Real DAG files (tests/dags/runtime) run through `tradewind dags test`: XCom, TaskFlow,
templates, BashOperator, branching, trigger rules, mapping, task groups."""

from __future__ import annotations

RUN_ID = "manual__2024-01-01T00:00:00+00:00"


def test_xcom_flows_between_tasks_that_run_in_dependency_order(rt, tw_any, metastore):
    code, result = rt.dags_test(tw_any, "rt_xcom")
    assert code == 0 and result["state"] == "success"
    assert rt.xcom(metastore, "rt_xcom", RUN_ID, "collect") == {
        "both": [1, 2],
        "one": 1,
        "extra": {"word": "hello"},
        "missing": "dflt",
    }
    tis = rt.task_instances(metastore, "rt_xcom", RUN_ID)
    first, second, collect = (tis[(t, -1)] for t in ("first", "second", "collect"))
    assert first.end_date <= second.start_date and second.end_date <= collect.start_date


def test_taskflow_passes_results_and_pushes_each_multiple_outputs_key(rt, tw, sqlite_metastore):
    code, result = rt.dags_test(tw, "rt_taskflow")
    assert code == 0, result
    assert rt.xcom(sqlite_metastore, "rt_taskflow", RUN_ID, "split", "left") == 10
    assert rt.xcom(sqlite_metastore, "rt_taskflow", RUN_ID, "split", "right") == 20
    assert rt.xcom(sqlite_metastore, "rt_taskflow", RUN_ID, "total") == 30


def test_templates_render_context_params_variables_macros_and_template_files(
    rt, tw, sqlite_metastore, monkeypatch
):
    monkeypatch.setenv("TRADEWIND_VAR_GREETING", "hi")
    code, result = rt.dags_test(tw, "rt_templates")
    assert code == 0, result
    assert rt.xcom(sqlite_metastore, "rt_templates", RUN_ID, "inline") == (
        f"2024-01-01 world hi 2024-01-02 20240101 HEY {RUN_ID}"
    )
    assert rt.xcom(sqlite_metastore, "rt_templates", RUN_ID, "from_dag_folder") == (
        "hello from rt_templates on 20240101"
    )
    assert (
        rt.xcom(sqlite_metastore, "rt_templates", RUN_ID, "from_searchpath") == "searchpath world"
    )
    assert rt.xcom(sqlite_metastore, "rt_templates", RUN_ID, "python_kwargs") == {
        "text": "python_kwargs@2024-01-01T00:00:00+00:00",
        # a manual run of a @daily DAG covers the last complete day before it, as in Airflow
        "when": "2023-12-31",
    }
    rendered = rt.task_instances(sqlite_metastore, "rt_templates", RUN_ID)[("inline", -1)]
    assert rendered.rendered_fields["bash_command"].startswith("echo 2024-01-01 world hi")


def test_an_undefined_template_variable_fails_the_task_naming_field_and_task(
    rt, tw, sqlite_metastore, monkeypatch
):
    monkeypatch.delenv("TRADEWIND_VAR_GREETING", raising=False)
    code, result = rt.dags_test(tw, "rt_templates")
    assert code == 1 and rt.states(result)["inline"] == "failed"

    error = rt.tries(sqlite_metastore, "rt_templates", "inline")[-1].error
    assert "'bash_command'" in error and "'inline'" in error and "greeting" in error


def test_conf_overrides_params_and_is_validated_against_their_schema(rt, tw, sqlite_metastore):
    code, result = rt.dags_test(tw, "rt_params", "--conf", '{"count": 5}')
    assert code == 0, result
    assert rt.xcom(sqlite_metastore, "rt_params", RUN_ID, "show") == "5-plain"
    code, out, err = tw("dags", "test", "rt_params", "2024-01-02", "--conf", '{"count": 0}')
    assert code == 1 and "count" in err and "Traceback" not in err


def test_bash_operator_env_cwd_skip_code_failure_and_last_line(
    rt, tw, sqlite_metastore, monkeypatch
):
    monkeypatch.setenv("RT_OUTER", "outer")
    code, result = rt.dags_test(tw, "rt_bash")
    assert code == 1 and result["state"] == "failed"
    assert rt.states(result) == {
        "env_only": "success",
        "append_env": "success",
        "in_cwd": "success",
        "multi_line": "success",
        "skip_99": "skipped",
        "fail_3": "failed",
    }
    pulled = {t: rt.xcom(sqlite_metastore, "rt_bash", RUN_ID, t) for t in rt.states(result)}
    assert pulled["env_only"] == "bar-nohome"  # env replaces the environment
    assert pulled["append_env"] == "baz-outer"  # append_env keeps it
    assert pulled["in_cwd"] == "/tmp"
    assert pulled["multi_line"] == "last"
    assert pulled["skip_99"] is None and pulled["fail_3"] is None


def test_branching_skips_the_other_path_and_short_circuit_skips_everything_behind(rt, tw):
    code, result = rt.dags_test(tw, "rt_branching")
    assert code == 0, result
    assert rt.states(result) == {
        "branch": "success",
        "path_a": "success",
        "path_b": "skipped",
        "after_b": "skipped",
        "join": "success",
        "gate": "success",
        "behind": "skipped",
        "further": "skipped",
    }


def test_trigger_rules_one_failed_all_done_and_none_failed_min_one_success(rt, tw):
    code, result = rt.dags_test(tw, "rt_trigger_rules")
    assert code == 1 and result["state"] == "failed"
    assert rt.states(result) == {
        "boom": "failed",
        "ok": "success",
        "on_fail": "success",
        "cleanup": "success",
        "after_ok": "upstream_failed",
        "plain": "upstream_failed",
    }


def test_mapping_over_literal_upstream_and_empty_lists(rt, tw, sqlite_metastore):
    code, result = rt.dags_test(tw, "rt_mapping")
    assert code == 0, result
    got = rt.states(result)
    assert [got[f"add_one[{i}]"] for i in range(3)] == ["success"] * 3
    assert [got[f"double[{i}]"] for i in range(3)] == ["success"] * 3
    assert got["never"] == "skipped"
    assert rt.xcom(sqlite_metastore, "rt_mapping", RUN_ID, "add_one") == [2, 3, 4]
    assert rt.xcom(sqlite_metastore, "rt_mapping", RUN_ID, "total") == 9
    assert rt.xcom(sqlite_metastore, "rt_mapping", RUN_ID, "total_doubled") == 120


def test_task_groups_prefix_ids_and_order_dependencies_on_the_whole_group(rt, tw, sqlite_metastore):
    code, result = rt.dags_test(tw, "rt_groups")
    assert code == 0, result
    assert [t["task_id"] for t in result["tasks"]] == [
        "start",
        "section.one",
        "section.two",
        "end",
    ]
    tis = rt.task_instances(sqlite_metastore, "rt_groups", RUN_ID)
    assert tis[("section.two", -1)].end_date <= tis[("end", -1)].start_date
    assert rt.xcom(sqlite_metastore, "rt_groups", RUN_ID, "end") == "two"
