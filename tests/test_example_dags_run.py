"""Every example DAG in dags/ runs end to end with `tradewind dags test` (the seed notes' "end to
end pipeline tests"), with the task states Airflow would give them."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tradewind.cli.errors import run_with_error_boundary
from tradewind.cli.main import cli

DAGS = Path(__file__).resolve().parent.parent / "dags"


@pytest.fixture
def dags_test(sqlite_metastore, monkeypatch: pytest.MonkeyPatch, capsys):
    monkeypatch.setenv("TRADEWIND__CORE__DAGS_FOLDER", str(DAGS))

    def _run(dag_id: str, *extra: str) -> dict:
        code = run_with_error_boundary(cli, ["dags", "test", dag_id, *extra, "-o", "json"])
        out, err = capsys.readouterr()
        assert code == 0, f"dags test {dag_id} exited {code}: {err}"
        return json.loads(out)

    return _run


def _states(result: dict) -> dict[str, str]:
    out: dict[str, str] = {}
    for t in result["tasks"]:
        key = t["task_id"] if t["map_index"] == -1 else f"{t['task_id']}[{t['map_index']}]"
        out[key] = t["state"]
    return out


def _all(states: dict[str, str], state: str, *, but: dict[str, str] | None = None) -> dict:
    return {k: (but or {}).get(k, state) for k in states}


def test_example_bash_operator_skips_on_exit_code_99(dags_test) -> None:
    result = dags_test("example_bash_operator")
    states = _states(result)
    skipped = {"this_will_skip": "skipped", "run_this_last": "skipped"}
    assert result["state"] == "success"
    assert states == _all(states, "success", but=skipped)
    assert {"runme_0", "runme_1", "runme_2", "also_run_this", "run_after_loop"} <= set(states)


@pytest.mark.parametrize(
    "dag_id",
    ["example_xcom", "example_taskflow", "example_queues", "example_task_group", "example_params"],
)
def test_examples_whose_every_task_succeeds(dags_test, dag_id: str) -> None:
    result = dags_test(dag_id)
    states = _states(result)
    assert result["state"] == "success"
    assert states and states == _all(states, "success")


def test_example_branch_follows_the_chosen_branches_and_joins(dags_test) -> None:
    result = dags_test("example_branch", "2024-01-06")  # a Saturday: branch_c
    states = _states(result)
    skipped = ["branch_a", "follow_branch_a", "branch_b", "follow_branch_b", "large_batch"]
    assert result["state"] == "success"
    assert states == _all(states, "success", but=dict.fromkeys(skipped, "skipped"))


def test_example_mapping_expands_literal_and_upstream_lists(dags_test) -> None:
    states = _states(dags_test("example_mapping"))
    assert states == {
        "add_one[0]": "success",
        "add_one[1]": "success",
        "add_one[2]": "success",
        "sum_it": "success",
        "list_files": "success",
        "size_of[0]": "success",
        "size_of[1]": "success",
        "greet[0]": "success",
        "greet[1]": "success",
    }


def test_example_sensors_finish_in_seconds(dags_test) -> None:
    result = dags_test("example_sensors")
    states = _states(result)
    assert result["state"] == "success" and states == _all(states, "success")


def test_example_trigger_rules_give_airflows_states(dags_test) -> None:
    result = dags_test("example_trigger_rules")
    assert result["state"] == "success"
    assert _states(result) == {
        "succeeds": "success",
        "fails": "failed",
        "skips": "skipped",
        "all_success_task": "upstream_failed",
        "all_done_task": "success",
        "one_success_task": "success",
        "one_failed_task": "success",
        "none_failed_task": "upstream_failed",
        "none_skipped_task": "skipped",
        "always_task": "success",
        "cleanup": "success",
    }


def test_the_seed_dataset_producer_and_consumer_run(dags_test) -> None:
    produced = dags_test("producer")
    assert _states(produced) == {"update_dataset": "success"}
    assert "producer update" in Path("/tmp/my_file.txt").read_text()
    consumed = dags_test("consumer")
    assert _states(consumed) == {"read_dataset": "success"}


def test_the_seed_parallel_example_runs_as_written(dags_test) -> None:
    result = dags_test("parallel_example")
    states = _states(result)
    assert result["state"] == "success"
    assert states == dict.fromkeys(
        ["extract_a", "load_a", "extract_c", "load_c", "transform"], "success"
    )
