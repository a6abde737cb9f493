"""Importing one DAG file: its DAGs, or one clear import error naming the file and line."""

from __future__ import annotations

import sys
import textwrap
import threading
import zipfile
from pathlib import Path

import pytest

from tradewind.parsing.loader import MODULE_PREFIX, load_file, might_contain_dag

BROKEN = Path(__file__).resolve().parent.parent / "dags" / "broken"

GOOD = """
from datetime import datetime

from tradewind import DAG, dag
from tradewind.operators import EmptyOperator

with DAG("{dag_id}", start_date=datetime(2024, 1, 1), schedule="@daily") as the_dag:
    EmptyOperator(task_id="a") >> EmptyOperator(task_id="b")
"""


def _write(folder: Path, name: str, text: str) -> Path:
    path = folder / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(textwrap.dedent(text))
    return path


def test_a_dag_file_gives_its_dags_with_fileloc_set(tmp_path: Path) -> None:
    path = _write(tmp_path, "good.py", GOOD.format(dag_id="good"))
    loaded = load_file(path)
    assert loaded.import_error is None
    [dag] = loaded.dags
    assert dag.dag_id == "good" and dag.fileloc == str(path)
    assert sorted(dag.task_dict) == ["a", "b"]
    assert loaded.sources["good"] == path.read_text()
    assert len(loaded.content_hash) == 64


def test_dags_made_by_dag_decorated_functions_and_without_with_blocks_are_found(
    tmp_path: Path,
) -> None:
    path = _write(
        tmp_path,
        "styles.py",
        """
        from datetime import datetime

        from tradewind import DAG, dag, task
        from tradewind.operators import EmptyOperator

        @dag(start_date=datetime(2024, 1, 1), schedule=None)
        def decorated():
            @task
            def hello():
                return 1

            hello()

        decorated()

        classic = DAG("classic", start_date=datetime(2024, 1, 1), schedule=None)
        EmptyOperator(task_id="only", dag=classic)
        """,
    )
    loaded = load_file(path)
    assert loaded.import_error is None
    assert sorted(loaded.dag_ids) == ["classic", "decorated"]


def test_files_with_the_same_name_in_two_folders_do_not_collide(tmp_path: Path) -> None:
    one = _write(tmp_path / "team_a", "pipeline.py", GOOD.format(dag_id="team_a"))
    two = _write(tmp_path / "team_b", "pipeline.py", GOOD.format(dag_id="team_b"))
    assert load_file(one).dag_ids == ["team_a"]
    assert load_file(two).dag_ids == ["team_b"]
    assert load_file(one).dags[0].fileloc == str(one)


def test_a_dag_file_is_imported_under_a_module_name_of_its_own(tmp_path: Path) -> None:
    path = _write(tmp_path, "mod.py", GOOD.format(dag_id="mod") + "\nNAME = __name__\n")
    load_file(path)
    names = [n for n in sys.modules if n.startswith(MODULE_PREFIX) and n.endswith("_mod")]
    assert names and names[-1] == sys.modules[names[-1]].NAME


def test_a_changed_file_is_imported_from_its_new_text(tmp_path: Path) -> None:
    path = _write(tmp_path, "changing.py", GOOD.format(dag_id="first"))
    assert load_file(path).dag_ids == ["first"]
    path.write_text(GOOD.format(dag_id="again"))  # same size, same second: no stale bytecode
    assert load_file(path).dag_ids == ["again"]


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("broken_syntax.py", ["broken_syntax.py, line 13: SyntaxError:", "return dag"]),
        (
            "broken_import.py",
            ["broken_import.py, line 5: ModuleNotFoundError:", "tradewind_no_such_module"],
        ),
        ("broken_exception.py", ["broken_exception.py, line 10: KeyError: 'region'"]),
        ("broken_cycle.py", ["broken_cycle.py, line 8: CycleError", "extract"]),
        ("broken_duplicate_task.py", ["broken_duplicate_task.py, line 10:", "same"]),
    ],
)
def test_a_broken_file_gives_one_clear_error_with_file_and_line(
    name: str, expected: list[str]
) -> None:
    loaded = load_file(BROKEN / name)
    assert loaded.dags == []
    assert loaded.import_error is not None
    assert loaded.import_error.startswith(str(BROKEN / name))
    for fragment in expected:
        assert fragment in loaded.import_error
    assert "Traceback" not in loaded.import_error
    assert len(loaded.import_error.splitlines()) <= 2


def test_a_file_slower_than_the_timeout_is_an_import_error(tmp_path: Path) -> None:
    loaded = load_file(BROKEN / "broken_slow.py", timeout=1.0)
    assert loaded.dags == []
    assert "DagImportTimeout" in (loaded.import_error or "")
    assert "1 s" in (loaded.import_error or "")
    assert loaded.duration < 10


def test_the_timeout_also_stops_a_slow_file_outside_the_main_thread() -> None:
    results = []
    worker = threading.Thread(
        target=lambda: results.append(load_file(BROKEN / "broken_slow.py", timeout=1.0))
    )
    worker.start()
    worker.join(timeout=20)
    assert not worker.is_alive()
    [loaded] = results
    assert "DagImportTimeout" in (loaded.import_error or "")


def test_the_time_limit_puts_back_the_alarm_and_handler_it_found(tmp_path: Path) -> None:
    import signal

    def outer_handler(_signum: int, _frame: object) -> None:
        raise AssertionError("the outer alarm fired during the test")

    path = _write(tmp_path, "fast.py", GOOD.format(dag_id="fast"))
    previous = signal.signal(signal.SIGALRM, outer_handler)
    previous_timer = signal.setitimer(signal.ITIMER_REAL, 100)
    try:
        assert load_file(path, timeout=5).import_error is None
        remaining, _ = signal.getitimer(signal.ITIMER_REAL)
        assert 90 < remaining <= 100
        assert signal.getsignal(signal.SIGALRM) is outer_handler
    finally:
        signal.setitimer(signal.ITIMER_REAL, *previous_timer)
        signal.signal(signal.SIGALRM, previous)


def test_a_dag_file_calling_sys_exit_is_an_import_error(tmp_path: Path) -> None:
    path = _write(tmp_path, "exits.py", "import sys\n# tradewind dag\nsys.exit(3)\n")
    loaded = load_file(path)
    assert "exits.py, line 3: SystemExit: 3" in (loaded.import_error or "")


def test_safe_mode_skips_files_that_do_not_look_like_dag_files(tmp_path: Path) -> None:
    path = _write(tmp_path, "helper.py", "raise RuntimeError('never imported')\n")
    loaded = load_file(path)
    assert loaded.imported is False and loaded.import_error is None
    assert "never imported" in (load_file(path, safe_mode=False).import_error or "")
    assert might_contain_dag("from tradewind import DAG")
    assert not might_contain_dag("import airflow  # a dag")


def test_a_zip_of_dag_files_loads_with_its_helper_modules(tmp_path: Path) -> None:
    archive = tmp_path / "packaged.zip"
    with zipfile.ZipFile(archive, "w") as zf:
        zf.writestr("zipped_helpers_mod.py", "TASK_IDS = ['x', 'y']\n")
        zf.writestr(
            "zipped_dag.py",
            textwrap.dedent(
                """
                from datetime import datetime

                from tradewind import DAG
                from tradewind.operators import EmptyOperator
                from zipped_helpers_mod import TASK_IDS

                with DAG("zipped", start_date=datetime(2024, 1, 1), schedule=None) as dag:
                    for tid in TASK_IDS:
                        EmptyOperator(task_id=tid)
                """
            ),
        )
        zf.writestr("nested/ignored.py", "raise RuntimeError('not at the root')\n")
    loaded = load_file(archive)
    assert loaded.import_error is None
    [dag] = loaded.dags
    assert dag.dag_id == "zipped" and dag.fileloc == str(archive)
    assert sorted(dag.task_dict) == ["x", "y"]
    assert "TASK_IDS" in loaded.sources["zipped"]


def test_a_broken_member_of_a_zip_is_an_import_error_naming_it(tmp_path: Path) -> None:
    archive = tmp_path / "bad.zip"
    with zipfile.ZipFile(archive, "w") as zf:
        zf.writestr("bad_member.py", "# tradewind dag\nimport not_a_module_anywhere\n")
    loaded = load_file(archive)
    assert f"{archive}/bad_member.py, line 2: ModuleNotFoundError" in (loaded.import_error or "")
    assert "import not_a_module_anywhere" in (loaded.import_error or "")
