"""``dag.test()`` prints every try's log lines, the tasks' prints among them, to stdout as the
run goes, as Airflow's does (and as ``tradewind dags test -v`` does on stderr)."""

from __future__ import annotations

import io
import os
import subprocess
import sys
import textwrap
from datetime import UTC, datetime
from pathlib import Path

from tradewind import DAG, task
from tradewind.runtime.echo import EchoStream

DAY = datetime(2024, 1, 1, tzinfo=UTC)

SCRIPT = textwrap.dedent(
    """
    from datetime import datetime

    from tradewind import DAG, task

    with DAG("echo_script", schedule=None, start_date=datetime(2024, 1, 1)) as dag:

        @task
        def extract():
            print("extracting rows")
            return 3

        @task
        def load(n):
            print(f"loading {n} rows")

        load(extract())

    if __name__ == "__main__":
        result = dag.test()
        print(f"run finished: {result.state}")
    """
)


def _pipeline(dag_id: str) -> DAG:
    with DAG(dag_id, schedule=None, start_date=DAY) as dag:

        @task
        def extract() -> int:
            print("extracting rows")
            return 3

        @task
        def load(n: int) -> None:
            print(f"loading {n} rows")

        load(extract())
    return dag


def test_a_dag_file_run_as_a_script_prints_the_task_logs_as_the_run_goes(
    tw_home: Path, tmp_path: Path
) -> None:
    path = tmp_path / "echo_script.py"
    path.write_text(SCRIPT)
    env = dict(os.environ, TRADEWIND__DATABASE__URL=f"sqlite:///{tw_home / 'script.db'}")
    done = subprocess.run(
        [sys.executable, str(path)], env=env, capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    order = [
        next(i for i, line in enumerate(lines) if wanted in line)
        for wanted in (
            "Executing <Task(_PythonDecoratedOperator): extract>",
            "INFO - extracting rows",
            "Marking task as SUCCESS. dag_id=echo_script, task_id=extract",
            "INFO - loading 3 rows",
            "Marking task as SUCCESS. dag_id=echo_script, task_id=load",
            "run finished: success",
        )
    ]
    assert order == sorted(order)


def test_dag_test_prints_to_stdout_by_default(sqlite_metastore, capsys) -> None:
    assert _pipeline("echo_stdout").test(logical_date=DAY).state == "success"
    out = capsys.readouterr().out
    assert "INFO - extracting rows" in out
    assert "INFO - loading 3 rows" in out
    assert "Marking task as SUCCESS. dag_id=echo_stdout, task_id=load" in out


def test_dag_test_with_echo_none_prints_nothing(sqlite_metastore, capsys) -> None:
    assert _pipeline("echo_none").test(logical_date=DAY, echo=None).state == "success"
    assert capsys.readouterr().out == ""


def test_a_closed_stdout_stops_the_echo_but_not_the_run(sqlite_metastore) -> None:
    closed = io.StringIO()
    closed.close()
    assert _pipeline("echo_closed").test(logical_date=DAY, echo=closed).state == "success"


def test_the_echo_stream_swallows_write_errors_once_broken() -> None:
    class Broken(io.StringIO):
        def write(self, text: str) -> int:
            raise BrokenPipeError

    stream = EchoStream(Broken())
    assert stream.write("line\n") == 5
    stream.flush()
