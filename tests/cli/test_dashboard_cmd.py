"""`tradewind dashboard --port P --workers N` serves the app from N uvicorn processes, and
`tradewind standalone` starts the dashboard beside the scheduler."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Callable
from pathlib import Path

TRADEWIND = [sys.executable, "-m", "tradewind.cli.main"]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _until(condition: Callable[[], bool], timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.1)


def _status(url: str) -> int | None:
    try:
        with urllib.request.urlopen(url, timeout=2) as response:
            return response.status
    except urllib.error.HTTPError as exc:
        return exc.code
    except OSError:
        return None


def _env(home: Path, port: int) -> dict[str, str]:
    return {
        **{k: v for k, v in os.environ.items() if not k.startswith("TRADEWIND")},
        "TRADEWIND_HOME": str(home),
        "TRADEWIND__DATABASE__URL": f"sqlite:///{home / 'tradewind.db'}",
        "TRADEWIND__CORE__SECRET_KEY": "cli-test-secret",
        "TRADEWIND__WEBSERVER__PORT": str(port),
        "TRADEWIND__WEBSERVER__HOST": "127.0.0.1",
    }


def _stop(process: subprocess.Popen[bytes], sig: int = signal.SIGTERM) -> None:
    if process.poll() is None:
        process.send_signal(sig)
    try:
        process.wait(timeout=30)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(timeout=5)


def test_dashboard_serves_on_the_given_port_from_n_worker_processes(tmp_path: Path) -> None:
    port = _free_port()
    env = _env(tmp_path, _free_port())  # the option must win over webserver.port
    subprocess.run([*TRADEWIND, "db", "init"], env=env, check=True, capture_output=True)
    log = tmp_path / "dashboard.log"
    with log.open("wb") as out:
        process = subprocess.Popen(
            [*TRADEWIND, "dashboard", "--port", str(port), "--workers", "2"],
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    try:
        _until(lambda: _status(f"http://127.0.0.1:{port}/login") == 200, 60, "the dashboard")
        _until(lambda: log.read_text().count("Started server process") == 2, 30, "2 workers")
        assert f"Dashboard on http://127.0.0.1:{port} (2 workers)" in log.read_text()
    finally:
        _stop(process)
    assert "Traceback" not in log.read_text()


def test_standalone_starts_the_dashboard_and_stops_it_on_ctrl_c(tmp_path: Path) -> None:
    port = _free_port()
    env = {**_env(tmp_path, port), "TRADEWIND__SCHEDULER__STANDALONE_DASHBOARD": "true"}
    log = tmp_path / "standalone.log"
    with log.open("wb") as out:
        process = subprocess.Popen(
            [*TRADEWIND, "standalone", "--no-examples"],
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    try:
        _until(lambda: _status(f"http://127.0.0.1:{port}/login") == 200, 60, "the dashboard")
        assert f"Dashboard: http://127.0.0.1:{port}/" in log.read_text()
    finally:
        _stop(process, signal.SIGINT)
    assert _status(f"http://127.0.0.1:{port}/login") is None  # the dashboard stopped too
    output = log.read_text()
    assert "Tradewind stopped." in output
    assert "Traceback" not in output
