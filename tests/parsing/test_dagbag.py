"""The DagBag: a folder's DAGs and import errors, re-imported only where files changed."""

from __future__ import annotations

import shutil
import textwrap
from pathlib import Path

import pytest

from tradewind.parsing.dagbag import DagBag

BROKEN = Path(__file__).resolve().parent.parent / "dags" / "broken"

GOOD = """
from datetime import datetime

from tradewind import DAG
from tradewind.operators import EmptyOperator

with DAG("{dag_id}", start_date=datetime(2024, 1, 1), schedule=None, tags=["t"]) as dag:
    EmptyOperator(task_id="{task_id}")
"""


def _write(path: Path, dag_id: str, task_id: str = "only") -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(textwrap.dedent(GOOD.format(dag_id=dag_id, task_id=task_id)))
    return path


@pytest.fixture
def broken_folder(tmp_path: Path) -> Path:
    folder = tmp_path / "dags"
    shutil.copytree(BROKEN, folder)
    _write(folder / "healthy.py", "healthy")
    return folder


def test_every_good_dag_loads_while_each_broken_file_records_its_error(
    broken_folder: Path,
) -> None:
    bag = DagBag(broken_folder, import_timeout=1.0)
    assert sorted(bag.dags) == ["duplicated", "healthy", "not_duplicated"]
    assert sorted(Path(p).name for p in bag.import_errors) == [
        "broken_cycle.py",
        "broken_duplicate_task.py",
        "broken_exception.py",
        "broken_import.py",
        "broken_slow.py",
        "broken_syntax.py",
        "duplicate_dag_id_b.py",
    ]
    assert bag.file_of("healthy") == str(broken_folder / "healthy.py")
    assert bag.get_dag("missing") is None


def test_a_dag_id_defined_twice_stays_with_the_first_file_and_errors_on_the_second(
    broken_folder: Path,
) -> None:
    bag = DagBag(broken_folder, import_timeout=1.0)
    first, second = broken_folder / "duplicate_dag_id_a.py", broken_folder / "duplicate_dag_id_b.py"
    assert bag.file_of("duplicated") == str(first)
    assert list(bag.get_dag("duplicated").task_dict) == ["from_a"]
    message = bag.import_errors[str(second)]
    assert "'duplicated'" in message and str(first) in message
    # the second file's other DAG is unaffected
    assert bag.file_of("not_duplicated") == str(second)
    # once the first file is gone, the second one owns the id without being changed
    (first).unlink()
    result = bag.collect()
    assert bag.file_of("duplicated") == str(second)
    assert str(second) not in bag.import_errors
    assert str(second) in result.touched_files


def test_collect_imports_only_new_and_changed_files(tmp_path: Path) -> None:
    one = _write(tmp_path / "one.py", "one")
    two = _write(tmp_path / "two.py", "two")
    bag = DagBag(tmp_path)
    first_hashes = dict(bag.file_hashes)
    assert bag.collect().imported_files == []
    _write(two, "two", task_id="changed")
    three = _write(tmp_path / "sub" / "three.py", "three")
    result = bag.collect()
    assert result.imported_files == [str(three), str(two)]
    assert result.unchanged_files == [str(one)]
    assert result.touched_files == [str(three), str(two)]
    assert result.added_dag_ids == ["three"]
    assert list(bag.get_dag("two").task_dict) == ["changed"]
    assert bag.file_hashes[str(one)] == first_hashes[str(one)]
    assert bag.file_hashes[str(two)] != first_hashes[str(two)]


def test_unchanged_files_keep_their_dag_objects(tmp_path: Path) -> None:
    _write(tmp_path / "one.py", "one")
    bag = DagBag(tmp_path)
    before = bag.get_dag("one")
    bag.collect()
    assert bag.get_dag("one") is before


def test_a_deleted_file_takes_its_dags_and_errors_with_it(tmp_path: Path) -> None:
    keep = _write(tmp_path / "keep.py", "keep")
    gone = _write(tmp_path / "gone.py", "gone")
    broken = tmp_path / "broken.py"
    broken.write_text("# tradewind dag\nimport nope_not_here\n")
    bag = DagBag(tmp_path)
    assert str(broken) in bag.import_errors
    gone.unlink()
    broken.unlink()
    result = bag.collect()
    assert sorted(bag.dags) == ["keep"]
    assert bag.import_errors == {}
    assert result.removed_files == [str(broken), str(gone)]
    assert result.removed_dag_ids == ["gone"]
    assert str(gone) not in bag.file_hashes and str(keep) in bag.file_hashes


def test_a_file_that_breaks_loses_its_dags_and_shows_its_error(tmp_path: Path) -> None:
    path = _write(tmp_path / "flaky.py", "flaky")
    bag = DagBag(tmp_path)
    path.write_text(path.read_text() + "\nraise ValueError('bad config')\n")
    result = bag.collect()
    assert "flaky" not in bag.dags
    assert "ValueError: bad config" in bag.import_errors[str(path)]
    assert result.removed_dag_ids == ["flaky"]


def test_ignored_files_are_never_imported(tmp_path: Path) -> None:
    _write(tmp_path / "kept.py", "kept")
    _write(tmp_path / "scratch" / "wip.py", "wip")
    (tmp_path / ".tradewindignore").write_text("scratch/\n")
    bag = DagBag(tmp_path)
    assert sorted(bag.dags) == ["kept"]
    assert bag.known_files == [str(tmp_path / "kept.py")]


def test_dag_files_can_import_helper_modules_of_their_folder(tmp_path: Path) -> None:
    (tmp_path / "bag_helper_constants.py").write_text("TASK = 'from_helper'\n")
    (tmp_path / "uses_helper.py").write_text(
        textwrap.dedent(
            """
            from datetime import datetime

            from bag_helper_constants import TASK
            from tradewind import DAG
            from tradewind.operators import EmptyOperator

            with DAG("uses_helper", start_date=datetime(2024, 1, 1), schedule=None) as dag:
                EmptyOperator(task_id=TASK)
            """
        )
    )
    bag = DagBag(tmp_path)
    assert bag.import_errors == {}
    assert list(bag.get_dag("uses_helper").task_dict) == ["from_helper"]


def test_load_file_imports_one_file_into_the_bag(tmp_path: Path) -> None:
    path = _write(tmp_path / "solo.py", "solo")
    bag = DagBag(tmp_path, collect_dags=False)
    assert bag.dags == {}
    [dag] = bag.load_file(path)
    assert dag.dag_id == "solo" and bag.get_dag("solo") is dag


def test_a_bag_over_a_single_file(tmp_path: Path) -> None:
    path = _write(tmp_path / "single.py", "single")
    _write(tmp_path / "other.py", "other")
    assert sorted(DagBag(path).dags) == ["single"]


def test_process_file_skips_an_unchanged_file_as_airflow_does(tmp_path: Path) -> None:
    path = _write(tmp_path / "solo.py", "solo")
    bag = DagBag(tmp_path)
    before = bag.get_dag("solo")
    assert bag.process_file(path) == [before]
    [again] = bag.process_file(path, only_if_updated=False)
    assert again is not before and again.dag_id == "solo"
