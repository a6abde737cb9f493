from __future__ import annotations

from click.testing import CliRunner

from broker_config.factory import build_broker
from broker_config.routing import Router, publish
from tradewind.cli.main import cli

URL = "amqp://guest:guest@127.0.0.1:5672/"


def test_tasks_logs_reads_a_log_from_the_worker_that_ran_the_try(
    harness, start_worker, wait, monkeypatch, tmp_path
) -> None:
    start_worker(URL, ["default"])
    key = harness.queue(harness.new_run(), "quick")
    broker = build_broker(URL)
    publish(broker, [Router.from_settings(harness.settings).message(key, "default")])
    broker.close()
    wait(lambda: harness.state(key) == "success", what="the try")
    # another machine: no local copy of the log, so it must come from the log server
    monkeypatch.setenv("TRADEWIND__LOGGING__BASE_LOG_FOLDER", str(tmp_path / "elsewhere"))
    result = CliRunner().invoke(cli, ["tasks", "logs", "wk", key.run_id, "quick", "--follow"])
    assert result.exit_code == 0, result.output
    assert "sleeping 0" in result.output


def test_tasks_logs_with_a_wrong_secret_key_is_refused(
    harness, start_worker, wait, monkeypatch, tmp_path
) -> None:
    start_worker(URL, ["default"])
    key = harness.queue(harness.new_run(), "quick")
    broker = build_broker(URL)
    publish(broker, [Router.from_settings(harness.settings).message(key, "default")])
    broker.close()
    wait(lambda: harness.state(key) == "success", what="the try")
    monkeypatch.setenv("TRADEWIND__LOGGING__BASE_LOG_FOLDER", str(tmp_path / "elsewhere"))
    monkeypatch.setenv("TRADEWIND__CORE__SECRET_KEY", "not-the-fleet-key")
    result = CliRunner().invoke(cli, ["tasks", "logs", "wk", key.run_id, "quick"])
    assert result.exit_code != 0
    assert "403" in str(result.exception) or "403" in result.output


def test_tasks_logs_follow_streams_a_running_try_live_until_it_ends(
    harness, start_worker, wait, monkeypatch, tmp_path
) -> None:
    import os
    import subprocess
    import sys
    import threading

    start_worker(URL, ["default"])
    key = harness.queue(harness.new_run(), "held")
    broker = build_broker(URL)
    publish(broker, [Router.from_settings(harness.settings).message(key, "default")])
    broker.close()
    wait(lambda: harness.state(key) == "running", what="the held try to run")
    env = {**os.environ, "TRADEWIND__LOGGING__BASE_LOG_FOLDER": str(tmp_path / "elsewhere")}
    follower = subprocess.Popen(
        [sys.executable, "-m", "tradewind.cli.main", "tasks", "logs", "wk", key.run_id, "held"]
        + ["--follow"],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    seen: list[str] = []
    reader = threading.Thread(target=lambda: seen.extend(follower.stdout), daemon=True)
    reader.start()
    try:
        wait(lambda: "sleeping 0" in "".join(seen), what="the live log line")
        state = harness.state(key)
        # still following: the try has not ended
        assert follower.poll() is None, f"state {state}; output: {''.join(seen)}"
        assert state == "running"
        (harness.dag_file.parent.parent / "release").touch()
        assert follower.wait(60) == 0, "".join(seen)
    finally:
        if follower.poll() is None:
            follower.kill()
    reader.join(10)
    assert harness.state(key) == "success"
