"""A dead broker URL stops `tradewind worker` and `tradewind scheduler` with one clear line."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

DEAD_URLS = {
    "rabbitmq": ("amqp://guest:hunter2@127.0.0.1:1/", "amqp://guest:***@127.0.0.1:1/"),
    "redis": ("redis://:hunter2@127.0.0.1:2/0", "redis://:***@127.0.0.1:2/0"),
}
COMMANDS = {"worker": ["worker", "-q", "default"], "scheduler": ["scheduler"]}


def _run(tmp_path: Path, args: list[str], url: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("TRADEWIND")}
    env.update(
        {
            "TRADEWIND_HOME": str(tmp_path),
            "TRADEWIND__DATABASE__URL": f"sqlite:///{tmp_path / 'tw.db'}",
            "TRADEWIND__BROKER__URL": url,
            "TRADEWIND__SCHEDULER__EXECUTOR": "broker",
            "TRADEWIND__WORKER__LOG_SERVER_PORT": "0",
        }
    )
    cli = [sys.executable, "-m", "tradewind.cli.main"]
    subprocess.run([*cli, "db", "upgrade"], env=env, capture_output=True, timeout=120, check=True)
    return subprocess.run([*cli, *args], env=env, capture_output=True, text=True, timeout=120)


@pytest.mark.parametrize("command", sorted(COMMANDS))
@pytest.mark.parametrize("kind", sorted(DEAD_URLS))
def test_a_dead_broker_url_exits_with_one_error_line_naming_the_masked_url(
    tmp_path: Path, command: str, kind: str
) -> None:
    url, masked = DEAD_URLS[kind]
    result = _run(tmp_path, COMMANDS[command], url)
    output = result.stdout + result.stderr
    assert result.returncode != 0, output
    errors = [line for line in output.splitlines() if line.startswith("Error:")]
    assert len(errors) == 1, output
    assert masked in errors[0] and "tried" in errors[0], errors[0]
    assert "hunter2" not in output
    assert "Traceback" not in output


def test_an_unknown_scheme_names_the_schemes_that_would_work(tmp_path: Path) -> None:
    result = _run(tmp_path, COMMANDS["worker"], "kafka://u:hunter2@host:9092")
    errors = [line for line in result.stderr.splitlines() if line.startswith("Error:")]
    assert result.returncode != 0
    assert len(errors) == 1 and "amqp://" in errors[0] and "redis://" in errors[0], result.stderr
    assert "hunter2" not in result.stderr + result.stdout
