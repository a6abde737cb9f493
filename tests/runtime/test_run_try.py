"""One try's life through run_try: retries, timeouts, XCom size, callbacks, logs, datasets."""

from __future__ import annotations

import json
import os
import time

import pytest

from tradewind.config import load_settings

RUN_ID = "manual__2024-01-01T00:00:00+00:00"


def test_a_flaky_task_retries_after_its_delay_and_exhausted_retries_fail(rt, tw_any, metastore):
    code, result = rt.dags_test(tw_any, "rt_retries")
    assert code == 1 and result["state"] == "failed"
    by_id = {t["task_id"]: t for t in result["tasks"]}
    assert by_id["flaky"]["state"] == "success" and by_id["flaky"]["try_number"] == 2
    assert by_id["always_fails"]["state"] == "failed"
    assert by_id["always_fails"]["try_number"] == 2
    history = rt.tries(metastore, "rt_retries", "flaky")
    assert [t.state for t in history] == ["up_for_retry", "success"]
    assert "flaky failure on try 1" in history[0].error
    waited = (history[1].start_date - history[0].end_date).total_seconds()
    assert waited >= 0.2
    assert [t.state for t in rt.tries(metastore, "rt_retries", "always_fails")] == [
        "up_for_retry",
        "failed",
    ]


def test_execution_timeout_kills_the_whole_process_group_and_says_so(
    rt, tw, sqlite_metastore, tmp_path, monkeypatch
):
    pidfile = tmp_path / "sleep.pid"
    monkeypatch.setenv("RT_PIDFILE", str(pidfile))
    started = time.monotonic()
    code, result = rt.dags_test(tw, "rt_timeout")
    assert time.monotonic() - started < 15
    assert code == 1 and rt.states(result) == {"sleepy": "failed"}
    error = rt.tries(sqlite_metastore, "rt_timeout", "sleepy")[-1].error
    assert error == "Task exceeded its execution_timeout of 0:00:01"
    assert "Task exceeded its execution_timeout of 0:00:01" in rt.log_text(
        load_settings(), "rt_timeout", RUN_ID, "sleepy"
    )
    pid = int(pidfile.read_text())
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline and _alive(pid):
        time.sleep(0.05)
    assert not _alive(pid), "the background `sleep 30` survived the timeout"


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    try:
        with open(f"/proc/{pid}/stat") as handle:
            return handle.read().split()[2] != "Z"
    except OSError:
        return False


def test_an_xcom_over_the_size_limit_fails_the_task_with_a_clear_message(
    rt, tw, sqlite_metastore, monkeypatch
):
    monkeypatch.setenv("TRADEWIND__CORE__XCOM_MAX_SIZE", "1000")
    code, result = rt.dags_test(tw, "rt_xcom_limit")
    assert code == 1 and rt.states(result) == {"too_big": "failed", "small": "success"}
    error = rt.tries(sqlite_metastore, "rt_xcom_limit", "too_big")[-1].error
    assert "5002 bytes" in error and "limit of 1000 bytes" in error


def test_callbacks_receive_the_context_and_their_exceptions_change_no_state(
    rt, tw, tmp_path, monkeypatch
):
    out = tmp_path / "callbacks.jsonl"
    monkeypatch.setenv("RT_CALLBACK_FILE", str(out))
    code, result = rt.dags_test(tw, "rt_callbacks")
    assert code == 1
    assert rt.states(result) == {"good": "success", "bad": "failed", "retrying": "failed"}
    entries = [json.loads(line) for line in out.read_text().splitlines()]
    by_kind = {e["kind"]: e for e in entries}
    assert [e["task_id"] for e in entries if e["kind"] == "retry"] == ["retrying"]
    assert by_kind["retry"]["exception"] == "task failed on purpose"
    assert by_kind["success"]["task_id"] == "good" and by_kind["success"]["ds"] == "2024-01-01"
    assert by_kind["failure"]["exception"] == "task failed on purpose"
    assert by_kind["dag_failure"]["reason"] == "task_failure"
    assert by_kind["dag_failure"]["run_id"] == RUN_ID
    assert "dag_success" not in by_kind
    log = rt.log_text(load_settings(), "rt_callbacks", RUN_ID, "bad")
    assert "callback exploded" in log and "changes no state" in log


def test_the_try_log_captures_prints_and_masks_secrets(rt, tw, sqlite_metastore, monkeypatch):
    monkeypatch.setenv("TRADEWIND_VAR_API_TOKEN", "s3cr3t-t0ken-value")
    code, result = rt.dags_test(tw, "rt_secrets")
    assert code == 0, result
    settings = load_settings()
    leak_log = rt.log_text(settings, "rt_secrets", RUN_ID, "leak")
    assert "the token is ***" in leak_log
    echo_log = rt.log_text(settings, "rt_secrets", RUN_ID, "echo")
    assert "s3cr3t" not in leak_log + echo_log and "token=***" in echo_log
    rendered = rt.task_instances(sqlite_metastore, "rt_secrets", RUN_ID)[("echo", -1)]
    assert rendered.rendered_fields == {
        "bash_command": "echo token=***",
        "env": None,
        "cwd": None,
    }


def test_log_files_follow_airflows_layout(rt, tw):
    rt.dags_test(tw, "rt_xcom")
    settings = load_settings()
    base = os.path.join(settings.home, "logs")
    expected = os.path.join(base, "dag_id=rt_xcom", f"run_id={RUN_ID}", "task_id=first")
    assert os.listdir(expected) == ["attempt=1.log"]
    assert "Marking task as SUCCESS" in rt.log_text(settings, "rt_xcom", RUN_ID, "first")


@pytest.mark.parametrize("run_twice", [False, True])
def test_a_second_test_run_at_the_same_date_replaces_the_first(rt, tw, run_twice):
    code, _ = rt.dags_test(tw, "rt_xcom")
    if run_twice:
        code, result = rt.dags_test(tw, "rt_xcom")
        assert [t["try_number"] for t in result["tasks"]] == [1, 1, 1]
    assert code == 0


def test_a_reschedule_mode_sensor_pokes_again_under_the_same_try(
    rt, tw_any, metastore, tmp_path, monkeypatch
):
    counter = tmp_path / "pokes"
    monkeypatch.setenv("RT_POKE_COUNTER", str(counter))
    code, result = rt.dags_test(tw_any, "rt_reschedule")
    assert code == 0, result
    assert rt.states(result) == {"wait": "success"} and result["tasks"][0]["try_number"] == 1
    assert counter.read_text() == "xxx"
    history = rt.tries(metastore, "rt_reschedule", "wait")
    assert [(t.try_number, t.state) for t in history] == [(1, "success")]
    ti = rt.task_instances(metastore, "rt_reschedule", RUN_ID)[("wait", -1)]
    assert ti.next_try_at is None and ti.first_poke_at is None
