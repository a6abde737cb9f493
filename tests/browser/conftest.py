"""The real stack for browser tests: `tradewind dashboard` and `tradewind scheduler` (local
executor, SQLite) as subprocesses on a fresh TRADEWIND_HOME, and headless Chromium (Playwright).

Each test gets a new browser context and saves a screenshot under tests/artifacts/<test>.png.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

REPO = Path(__file__).resolve().parents[2]
DAGS = Path(__file__).parent / "dags"
ARTIFACTS = REPO / "tests" / "artifacts"
TRADEWIND = str(Path(sys.executable).parent / "tradewind")
PASSWORD = "browser-pw"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


def wait_for(condition: Callable[[], Any], timeout: float, what: str, every: float = 0.2) -> Any:
    """Poll ``condition`` until it returns something truthy; fail naming ``what``."""
    deadline = time.monotonic() + timeout
    while True:
        value = condition()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout} s waiting for {what}")
        time.sleep(every)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class Stack:
    def __init__(self, home: Path) -> None:
        self.home = home
        self.port = _free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.env = {
            **{k: v for k, v in os.environ.items() if not k.startswith("TRADEWIND")},
            "TRADEWIND_HOME": str(home),
            "TRADEWIND__DATABASE__URL": f"sqlite:///{home / 'tradewind.db'}",
            "TRADEWIND__CORE__SECRET_KEY": "browser-secret",
            "TRADEWIND__CORE__FERNET_KEY": "3ZxW-7QdP5t2Sg1dS0_dG6WJ7a3pZr4p8vZ2Y0XKq1A=",
            "TRADEWIND__CORE__DAGS_ARE_PAUSED_AT_CREATION": "false",
            "TRADEWIND__SCHEDULER__POLL_INTERVAL": "0.3",
            "TRADEWIND__SCHEDULER__DAG_DIR_LIST_INTERVAL": "5",
            "TRADEWIND__SCHEDULER__EXECUTOR": "local",
            "TRADEWIND__SCHEDULER__PARALLELISM": "4",
            "TRADEWIND__WORKER__DRAIN_GRACE_PERIOD": "2",
        }
        self.tradewind = TRADEWIND
        self.processes: list[subprocess.Popen[bytes]] = []
        self._metastore: Any = None

    @property
    def metastore(self) -> Any:
        if self._metastore is None:
            from tradewind.metastore.engine import Metastore

            self._metastore = Metastore(self.env["TRADEWIND__DATABASE__URL"])
        return self._metastore

    def start(self) -> None:
        shutil.copytree(DAGS, self.home / "dags", dirs_exist_ok=True)
        subprocess.run(
            [TRADEWIND, "db", "init"], env=self.env, check=True, capture_output=True, timeout=60
        )
        self._users()
        logs = self.home / "process-logs"
        logs.mkdir(exist_ok=True)
        for name, args in (
            ("dashboard", ["dashboard", "--port", str(self.port), "--host", "127.0.0.1"]),
            ("scheduler", ["scheduler"]),
        ):
            out = open(logs / f"{name}.log", "wb")  # noqa: SIM115 - closed with the process
            self.processes.append(
                subprocess.Popen(
                    [TRADEWIND, *args], env=self.env, stdout=out, stderr=subprocess.STDOUT
                )
            )
        wait_for(self._answers, 30, "the dashboard to answer")
        wait_for(self._dags_synced, 60, "the scheduler to sync the DAG files")

    def _answers(self) -> bool:
        try:
            with urllib.request.urlopen(self.url + "/login", timeout=2) as response:
                return response.status == 200
        except OSError:
            return False

    def _dags_synced(self) -> bool:
        from sqlalchemy import func, select

        from tradewind.metastore.models import DagModel

        with self.metastore.session() as session:
            return session.scalar(select(func.count()).select_from(DagModel)) >= 3

    def _users(self) -> None:
        import bcrypt

        from tradewind.metastore.models import User

        hashed = bcrypt.hashpw(PASSWORD.encode(), bcrypt.gensalt(rounds=4)).decode()
        with self.metastore.session() as session:
            for role in ("Admin", "Viewer"):
                session.add(
                    User(username=role.lower(), email=f"{role}@x", role=role, password_hash=hashed)
                )

    def stop(self) -> None:
        for process in self.processes:
            process.terminate()
        for process in self.processes:
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(timeout=5)
        if self._metastore is not None:
            self._metastore.dispose()

    def runs(self, dag_id: str) -> list[tuple[str, str]]:
        """(run_id, state) of the DAG's runs, oldest first."""
        from sqlalchemy import select

        from tradewind.metastore.models import DagRun

        with self.metastore.session() as session:
            return [
                (r.run_id, r.state)
                for r in session.execute(
                    select(DagRun.run_id, DagRun.state)
                    .where(DagRun.dag_id == dag_id)
                    .order_by(DagRun.logical_date)
                )
            ]

    def ti(self, dag_id: str, run_id: str, task_id: str) -> tuple[str, int]:
        """(state, try_number) of one task instance."""
        from sqlalchemy import select

        from tradewind.metastore.models import TaskInstance

        with self.metastore.session() as session:
            row = session.execute(
                select(TaskInstance.state, TaskInstance.try_number).where(
                    TaskInstance.dag_id == dag_id,
                    TaskInstance.run_id == run_id,
                    TaskInstance.task_id == task_id,
                )
            ).one()
            return row.state, row.try_number

    def process_log(self, name: str) -> str:
        return (self.home / "process-logs" / f"{name}.log").read_text(errors="replace")


@pytest.fixture(scope="session")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    running = Stack(tmp_path_factory.mktemp("browser") / "home")
    running.home.mkdir(parents=True)
    try:
        running.start()
        yield running
    finally:
        running.stop()


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path="/usr/bin/chromium", headless=True, args=CHROMIUM_ARGS
        )
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser: Any, stack: Stack, request: pytest.FixtureRequest) -> Iterator[Any]:
    context = browser.new_context(base_url=stack.url, viewport={"width": 1400, "height": 900})
    context.set_default_timeout(15_000)
    tab = context.new_page()
    yield tab
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    try:
        tab.screenshot(path=str(ARTIFACTS / f"{request.node.name}.png"), full_page=True)
    finally:
        context.close()


@pytest.fixture
def log_in() -> Callable[..., None]:
    def _log_in(page: Any, username: str = "admin") -> None:
        page.goto("/login")
        page.fill('input[name="username"]', username)
        page.fill('input[name="password"]', PASSWORD)
        page.click('button[type="submit"]')
        page.wait_for_url("**/")

    return _log_in


@pytest.fixture
def until() -> Callable[..., Any]:
    """``until(condition, timeout, what)``: wait for a condition with a deadline."""
    return wait_for
