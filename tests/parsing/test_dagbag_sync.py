"""A DAG folder synced into the metastore: what the DAG processor and the CLI rely on."""

from __future__ import annotations

import textwrap
from pathlib import Path

from sqlalchemy import select

from tradewind.config import Settings
from tradewind.metastore.dag_refresh import refresh_dag_folder, stale_files
from tradewind.metastore.dag_sync import get_dag_source, load_spec, sync_dagbag
from tradewind.metastore.engine import Metastore
from tradewind.metastore.models import DagModel, DagVersion, ImportError_
from tradewind.parsing.dagbag import DagBag

GOOD = """
from datetime import datetime

from tradewind import DAG
from tradewind.operators import EmptyOperator

with DAG("{dag_id}", start_date=datetime(2024, 1, 1), schedule="@daily", tags=["t"]) as dag:
    EmptyOperator(task_id="{task_id}")
"""


def _write(path: Path, dag_id: str, task_id: str = "only", extra: str = "") -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(textwrap.dedent(GOOD.format(dag_id=dag_id, task_id=task_id)) + extra)
    return path


def _model(store: Metastore, dag_id: str) -> DagModel:
    with store.session() as session:
        model = session.get(DagModel, dag_id)
        assert model is not None
        return model


def _version_numbers(store: Metastore, dag_id: str) -> list[int]:
    with store.session() as session:
        return list(
            session.execute(
                select(DagVersion.version_number)
                .where(DagVersion.dag_id == dag_id)
                .order_by(DagVersion.version_number)
            ).scalars()
        )


def test_a_broken_file_keeps_its_last_good_version_while_showing_its_error(
    metastore: Metastore, tmp_path: Path
) -> None:
    path = _write(tmp_path / "etl.py", "etl")
    bag = DagBag(tmp_path)
    with metastore.session() as session:
        sync_dagbag(session, bag)
    good_version = _model(metastore, "etl").latest_version_id
    path.write_text(path.read_text() + "\nimport not_installed_anywhere\n")
    with metastore.session() as session:
        result = sync_dagbag(session, bag, bag.collect())
    assert result.import_error_files == [str(path)] and result.deactivated_dag_ids == []
    model = _model(metastore, "etl")
    assert model.is_active and model.has_import_errors
    assert model.latest_version_id == good_version
    with metastore.session() as session:
        [error] = session.execute(select(ImportError_)).scalars()
        assert "ModuleNotFoundError" in error.message and error.filename == str(path)
        assert "not_installed_anywhere" not in get_dag_source(session, "etl")


def test_versions_increment_only_when_the_file_changes(
    metastore: Metastore, tmp_path: Path
) -> None:
    path = _write(tmp_path / "etl.py", "etl")
    bag = DagBag(tmp_path)
    with metastore.session() as session:
        sync_dagbag(session, bag)
    with metastore.session() as session:
        assert sync_dagbag(session, bag, bag.collect()).new_versions == {}
        assert sync_dagbag(session, bag).new_versions == {}
    assert _version_numbers(metastore, "etl") == [1]
    _write(path, "etl", task_id="renamed")
    with metastore.session() as session:
        result = sync_dagbag(session, bag, bag.collect())
    assert list(result.new_versions) == ["etl"]
    assert _version_numbers(metastore, "etl") == [1, 2]
    with metastore.session() as session:
        assert load_spec(session, "etl").task_ids == ("renamed",)
        assert "renamed" in get_dag_source(session, "etl")


def test_a_deleted_file_deactivates_its_dags(metastore: Metastore, tmp_path: Path) -> None:
    _write(tmp_path / "keep.py", "keep")
    gone = _write(tmp_path / "gone.py", "gone")
    bag = DagBag(tmp_path)
    with metastore.session() as session:
        sync_dagbag(session, bag)
    gone.unlink()
    with metastore.session() as session:
        result = sync_dagbag(session, bag, bag.collect())
    assert result.deactivated_dag_ids == ["gone"]
    assert _model(metastore, "gone").is_active is False
    assert _model(metastore, "keep").is_active is True


def test_a_full_sync_deactivates_dags_of_files_deleted_while_nobody_watched(
    metastore: Metastore, tmp_path: Path
) -> None:
    _write(tmp_path / "keep.py", "keep")
    gone = _write(tmp_path / "gone.py", "gone")
    with metastore.session() as session:
        sync_dagbag(session, DagBag(tmp_path))
    gone.unlink()
    with metastore.session() as session:
        result = sync_dagbag(session, DagBag(tmp_path))  # a fresh process: a new bag
    assert result.deactivated_dag_ids == ["gone"]


def test_refresh_parses_only_when_a_file_changed(
    metastore: Metastore, settings: Settings, tmp_path: Path
) -> None:
    def stale() -> list[str]:
        with metastore.session() as session:
            return stale_files(session, tmp_path)

    def refresh(**kw: bool):
        return refresh_dag_folder(metastore, settings, dag_folder=tmp_path, **kw)

    path = _write(tmp_path / "etl.py", "etl")
    assert stale() == [str(path)]
    assert refresh() is not None
    assert stale() == []
    assert refresh() is None
    assert refresh(force=True) is not None
    _write(path, "etl", task_id="changed")
    broken = tmp_path / "broken.py"
    broken.write_text("# tradewind dag\nraise RuntimeError('nope')\n")
    assert stale() == [str(broken), str(path)]
    result = refresh()
    assert result is not None and list(result.new_versions) == ["etl"]
    assert result.import_error_files == [str(broken)]
    assert stale() == []
    path.unlink()
    assert stale() == [str(path)]
    refresh()
    assert _model(metastore, "etl").is_active is False


def test_new_dags_follow_the_configured_pause_and_catchup_defaults(
    metastore: Metastore, tmp_path: Path
) -> None:
    _write(tmp_path / "a.py", "defaults")
    _write(
        tmp_path / "b.py",
        "explicit",
        extra="\ndag.is_paused_upon_creation = True\ndag.catchup = True\n",
    )
    with metastore.session() as session:
        sync_dagbag(session, DagBag(tmp_path), paused_at_creation=False, catchup_default=False)
    assert _model(metastore, "defaults").is_paused is False
    assert _model(metastore, "explicit").is_paused is True
    with metastore.session() as session:
        assert load_spec(session, "defaults").catchup is False
        assert load_spec(session, "explicit").catchup is True
