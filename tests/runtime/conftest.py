"""Fixtures for running the DAG files of tests/dags/runtime through `tradewind dags test`."""

from __future__ import annotations

import importlib.util
from collections.abc import Callable
from pathlib import Path
from types import ModuleType

import pytest

from tradewind.cli.errors import run_with_error_boundary
from tradewind.cli.main import cli

DAGS = Path(__file__).resolve().parent.parent / "dags" / "runtime"


@pytest.fixture
def dags_folder(monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("TRADEWIND__CORE__DAGS_FOLDER", str(DAGS))
    return DAGS


def _runner(capsys: pytest.CaptureFixture[str]) -> Callable[..., tuple[int, str, str]]:
    def _run(*args: str) -> tuple[int, str, str]:
        capsys.readouterr()
        code = run_with_error_boundary(cli, list(args))
        captured = capsys.readouterr()
        return code, captured.out, captured.err

    return _run


@pytest.fixture
def tw(sqlite_metastore, dags_folder, capsys) -> Callable[..., tuple[int, str, str]]:
    """Run a `tradewind` command in this process on SQLite: (exit code, stdout, stderr)."""
    return _runner(capsys)


@pytest.fixture
def tw_any(metastore, dags_folder, capsys) -> Callable[..., tuple[int, str, str]]:
    """Like ``tw``, on SQLite and on Postgres."""
    return _runner(capsys)


@pytest.fixture(scope="session")
def rt() -> ModuleType:
    """The helpers of rt_helpers.py (run `dags test`, read states, XComs, tries, logs)."""
    spec = importlib.util.spec_from_file_location(
        "tw_runtime_test_helpers", Path(__file__).with_name("rt_helpers.py")
    )
    module = importlib.util.module_from_spec(spec)  # type: ignore[arg-type]
    spec.loader.exec_module(module)  # type: ignore[union-attr]
    return module
