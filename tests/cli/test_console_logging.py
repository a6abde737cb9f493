"""The console of `tradewind worker` and `tradewind scheduler` shows records at the configured
level and above, including those a task's own logger (set to INFO) propagates."""

from __future__ import annotations

import subprocess
import sys

import pytest

SCRIPT = """
import logging
from {module} import {function}
{function}("WARNING")
task = logging.getLogger("tradewind.task")
task.setLevel(logging.INFO)
task.info("a task line")
logging.getLogger("tradewind.worker").warning("a warning line")
"""


@pytest.mark.parametrize(
    ("module", "function"),
    [
        ("tradewind.cli.worker_cmd", "_configure_logging"),
        ("tradewind.cli.scheduler_cmd", "configure_logging"),
    ],
)
def test_a_warning_console_leaves_out_a_tasks_info_lines(module: str, function: str) -> None:
    done = subprocess.run(
        [sys.executable, "-c", SCRIPT.format(module=module, function=function)],
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    assert "a warning line" in done.stderr
    assert "a task line" not in done.stderr
