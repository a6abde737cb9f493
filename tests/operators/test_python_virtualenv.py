"""PythonVirtualenvOperator, ExternalPythonOperator and their decorators, run with dag.test().

Two virtualenvs in all: one made here for the external-python tests, one made (then reused
from ``venv_cache_path``) by the virtualenv operator. Neither has pip nor site packages.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from tradewind import DAG, task
from tradewind.errors import DagDefinitionError
from tradewind.metastore.xcoms import pull_xcom
from tradewind.operators.python import (
    ExternalPythonOperator,
    PythonVirtualenvOperator,
    is_venv_installed,
)

DATE = datetime(2024, 6, 1, tzinfo=UTC)


@pytest.fixture(scope="module")
def venv_python(tmp_path_factory: pytest.TempPathFactory) -> str:
    path = tmp_path_factory.mktemp("external") / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(path)], check=True)
    return str(path / "bin" / "python")


@pytest.fixture(scope="module")
def venv_cache(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("venv_cache")


def _xcom(store: Any, dag_id: str, run_id: str, task_id: str, key: str = "return_value") -> Any:
    with store.session() as session:
        return pull_xcom(session, dag_id, run_id, task_id, key=key)


def _log(tw_home: Path, task_id: str) -> str:
    found = [p for p in tw_home.rglob("*") if p.is_file() and f"task_id={task_id}" in str(p)]
    return "\n".join(p.read_text() for p in found)


def test_is_venv_installed() -> None:
    assert is_venv_installed() is True


def test_external_python_runs_the_callable_there_with_xcom_arguments_and_context(
    sqlite_metastore: Any, venv_python: str
) -> None:
    def where(a, b, ds, params, dag_run, logical_date, unrelated="kept"):
        import importlib.util
        import sys

        return {
            "prefix": sys.prefix,
            "tradewind": importlib.util.find_spec("tradewind") is not None,
            "sum": a + b,
            "ds": ds,
            "n": params["n"],
            "conf": dag_run.conf,
            "year": logical_date.year,
            "unrelated": unrelated,
        }

    with DAG("ext", start_date=DATE, schedule=None, params={"n": 3}) as dag:

        @task
        def two() -> int:
            return 2

        ExternalPythonOperator(
            task_id="where", python=venv_python, python_callable=where, op_args=[1, two()]
        )
    run = dag.test(logical_date=DATE, conf={"x": 1})
    assert run.state == "success"
    out = _xcom(sqlite_metastore, "ext", run.run_id, "where")
    assert out["prefix"] == str(Path(venv_python).parent.parent)
    assert out["tradewind"] is False
    assert out["sum"] == 3
    assert (out["ds"], out["n"], out["conf"], out["year"]) == ("2024-06-01", 3, {"x": 1}, 2024)
    assert out["unrelated"] == "kept"


def test_a_raising_callable_fails_the_task_with_its_traceback_in_the_log(
    sqlite_metastore: Any, tw_home: Path, venv_python: str
) -> None:
    def boom():
        raise ValueError("no luck in the venv")

    with DAG("ext_fail", start_date=DATE, schedule=None) as dag:
        ExternalPythonOperator(task_id="boom", python=venv_python, python_callable=boom)
    run = dag.test(logical_date=DATE)
    assert run.get_task_instance("boom").state == "failed"
    assert "ValueError: no luck in the venv" in _log(tw_home, "boom")


def test_skip_on_exit_code_skips_and_none_returns_nothing(
    sqlite_metastore: Any, venv_python: str
) -> None:
    def leave():
        import sys

        sys.exit(42)

    def nothing():
        print("said something")

    with DAG("ext_skip", start_date=DATE, schedule=None) as dag:
        ExternalPythonOperator(
            task_id="leave", python=venv_python, python_callable=leave, skip_on_exit_code=42
        )
        ExternalPythonOperator(task_id="nothing", python=venv_python, python_callable=nothing)
    run = dag.test(logical_date=DATE)
    assert run.get_task_instance("leave").state == "skipped"
    assert run.get_task_instance("nothing").state == "success"
    assert _xcom(sqlite_metastore, "ext_skip", run.run_id, "nothing") is None


def test_execution_timeout_kills_the_subprocess(
    sqlite_metastore: Any, venv_python: str, tmp_path: Path
) -> None:
    def sleepy(pid_file):
        import os
        import time

        with open(pid_file, "w") as file:
            file.write(str(os.getpid()))
        time.sleep(60)

    with DAG("ext_timeout", start_date=DATE, schedule=None) as dag:
        ExternalPythonOperator(
            task_id="sleepy",
            python=venv_python,
            python_callable=sleepy,
            op_args=[str(tmp_path / "pid")],
            execution_timeout=timedelta(seconds=1),
        )
    started = time.monotonic()
    run = dag.test(logical_date=DATE)
    assert time.monotonic() - started < 15
    assert run.get_task_instance("sleepy").state == "failed"
    with pytest.raises(ProcessLookupError):
        os.kill(int((tmp_path / "pid").read_text()), 0)


def test_task_external_python_decorator_with_string_args_and_multiple_outputs(
    sqlite_metastore: Any, venv_python: str
) -> None:
    with DAG("ext_deco", start_date=DATE, schedule=None) as dag:

        @task.external_python(python=venv_python, string_args=["alpha", "beta"])
        def split(word: str) -> dict[str, Any]:
            return {"word": word.upper(), "args": virtualenv_string_args}  # noqa: F821

        split("hello")
    run = dag.test(logical_date=DATE)
    assert run.state == "success"
    assert _xcom(sqlite_metastore, "ext_deco", run.run_id, "split", key="word") == "HELLO"
    assert _xcom(sqlite_metastore, "ext_deco", run.run_id, "split", key="args") == [
        "alpha",
        "beta",
    ]


def test_virtualenv_operator_and_decorator_share_a_cached_virtualenv(
    sqlite_metastore: Any, venv_cache: Path
) -> None:
    def prefix():
        import sys

        return sys.prefix

    with DAG("venv", start_date=DATE, schedule=None) as dag:
        first = PythonVirtualenvOperator(
            task_id="first",
            python_callable=prefix,
            requirements=[],
            system_site_packages=False,
            venv_cache_path=str(venv_cache),
        )

        @task.virtualenv(requirements=[], system_site_packages=False, venv_cache_path=venv_cache)
        def second(upstream: str, *, templates_dict=None) -> list[Any]:
            import sys

            return [upstream == sys.prefix, templates_dict["when"]]

        first >> second(first.output, templates_dict={"when": "{{ ds }}"})
    run = dag.test(logical_date=DATE)
    assert run.state == "success"
    built = [p for p in venv_cache.iterdir() if p.name.startswith("venv-")]
    assert len(built) == 1 and (built[0] / "install_complete_marker.json").exists()
    assert _xcom(sqlite_metastore, "venv", run.run_id, "first") == str(built[0])
    assert _xcom(sqlite_metastore, "venv", run.run_id, "second") == [True, "2024-06-01"]


def test_declaration_errors(venv_python: str) -> None:
    with pytest.raises(DagDefinitionError, match="only functions"):
        ExternalPythonOperator(task_id="l", python=venv_python, python_callable=lambda: 1)
    with pytest.raises(DagDefinitionError, match="unsupported serializer"):
        ExternalPythonOperator(
            task_id="s", python=venv_python, python_callable=test_is_venv_installed, serializer="x"
        )
    with pytest.raises(DagDefinitionError, match="Python Path must be defined"):
        ExternalPythonOperator(task_id="p", python="", python_callable=test_is_venv_installed)
