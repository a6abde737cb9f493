"""Syncing parsed DAGs into the metastore: rows, versions, pause at creation, import errors,
deactivation and datasets."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest
from sqlalchemy import select

from tradewind.core.spec import DagSpec, ScheduleSpec, TaskSpec
from tradewind.errors import DagNotFound
from tradewind.metastore.dag_sync import (
    ParsedDag,
    deactivate_missing_files,
    get_dag_source,
    load_spec,
    sync_specs,
)
from tradewind.metastore.engine import Metastore
from tradewind.metastore.models import (
    DagModel,
    DagScheduleDataset,
    DagTag,
    DagVersion,
    Dataset,
    ImportError_,
)

FILE = "/dags/etl.py"


def _spec(dag_id: str = "etl", fileloc: str = FILE, **kw: object) -> DagSpec:
    tasks = (
        TaskSpec("extract", downstream=("load",), owner="alice"),
        TaskSpec("load", upstream=("extract",), owner="bob", outlets=("s3://out/data.csv",)),
    )
    base = DagSpec(
        dag_id=dag_id,
        fileloc=fileloc,
        schedule=ScheduleSpec(kind="cron", expression="0 0 * * *", description="@daily"),
        tags=("etl", "daily"),
        description="an ETL",
        tasks=tasks,
    )
    return replace(base, **kw)


def _sync(store: Metastore, *parsed: ParsedDag, **kw: object):
    with store.session() as session:
        return sync_specs(session, parsed, **kw)


def _dag(store: Metastore, dag_id: str = "etl") -> DagModel:
    with store.session() as session:
        model = session.get(DagModel, dag_id)
        assert model is not None
        return model


def _versions(store: Metastore, dag_id: str = "etl") -> list[DagVersion]:
    with store.session() as session:
        return list(
            session.execute(
                select(DagVersion).where(DagVersion.dag_id == dag_id).order_by(DagVersion.id)
            ).scalars()
        )


def test_a_new_dag_gets_its_row_its_tags_and_version_one(metastore: Metastore) -> None:
    result = _sync(metastore, ParsedDag(_spec(), "source v1"))
    assert result.created_dag_ids == ["etl"]
    model = _dag(metastore)
    assert model.is_active and model.is_paused
    assert model.fileloc == FILE
    assert model.owners == "alice, bob"
    assert model.schedule_description == "@daily"
    assert model.last_parsed_at is not None
    assert model.next_dagrun is None
    [version] = _versions(metastore)
    assert version.version_number == 1 and version.source_code == "source v1"
    assert model.latest_version_id == version.id
    with metastore.session() as session:
        tags = set(session.execute(select(DagTag.name)).scalars())
    assert tags == {"etl", "daily"}


def test_an_unchanged_dag_keeps_its_version(metastore: Metastore) -> None:
    _sync(metastore, ParsedDag(_spec(), "source v1"))
    result = _sync(metastore, ParsedDag(_spec(), "source v1"))
    assert result.new_versions == {} and result.updated_dag_ids == ["etl"]
    assert len(_versions(metastore)) == 1


def test_a_changed_source_or_structure_makes_the_next_version(metastore: Metastore) -> None:
    _sync(metastore, ParsedDag(_spec(), "source v1"))
    _sync(metastore, ParsedDag(_spec(), "source v2"))
    _sync(metastore, ParsedDag(_spec(max_active_runs=3), "source v2"))
    versions = _versions(metastore)
    assert [v.version_number for v in versions] == [1, 2, 3]
    assert _dag(metastore).latest_version_id == versions[-1].id
    with metastore.session() as session:
        assert load_spec(session, "etl").max_active_runs == 3
        assert load_spec(session, "etl", versions[0].id).max_active_runs == 16
        assert get_dag_source(session, "etl") == "source v2"
        assert get_dag_source(session, "etl", versions[0].id) == "source v1"


def test_pause_is_set_only_at_creation(metastore: Metastore) -> None:
    _sync(metastore, ParsedDag(_spec(), "v1"), paused_at_creation=False)
    assert _dag(metastore).is_paused is False
    with metastore.session() as session:
        session.get(DagModel, "etl").is_paused = True
    _sync(metastore, ParsedDag(_spec(), "v2"), paused_at_creation=False)
    assert _dag(metastore).is_paused is True


def test_is_paused_upon_creation_wins_over_the_configured_default(metastore: Metastore) -> None:
    _sync(metastore, ParsedDag(_spec(is_paused_upon_creation=False), "v1"))
    assert _dag(metastore).is_paused is False


def test_a_broken_file_keeps_the_last_good_version_active_and_shows_its_error(
    metastore: Metastore,
) -> None:
    _sync(metastore, ParsedDag(_spec(), "good"), processed_files=[FILE])
    good = _dag(metastore).latest_version_id
    result = _sync(metastore, import_errors={FILE: f"{FILE}, line 3: SyntaxError: oops"})
    assert result.deactivated_dag_ids == []
    model = _dag(metastore)
    assert model.is_active and model.has_import_errors and model.latest_version_id == good
    with metastore.session() as session:
        [error] = session.execute(select(ImportError_)).scalars()
    assert error.filename == FILE and "SyntaxError" in error.message
    # fixed again: the error goes, the DAG is clean
    _sync(metastore, ParsedDag(_spec(), "good"), processed_files=[FILE])
    with metastore.session() as session:
        assert session.execute(select(ImportError_)).first() is None
    assert _dag(metastore).has_import_errors is False


def test_a_new_error_message_replaces_the_files_previous_one(metastore: Metastore) -> None:
    _sync(metastore, import_errors={FILE: "first"})
    _sync(metastore, import_errors={FILE: "second"})
    with metastore.session() as session:
        messages = session.execute(select(ImportError_.message)).scalars().all()
    assert messages == ["second"]


def test_a_dag_its_file_no_longer_defines_is_deactivated_and_comes_back(
    metastore: Metastore,
) -> None:
    _sync(metastore, ParsedDag(_spec("a"), "x"), ParsedDag(_spec("b"), "x"))
    result = _sync(metastore, ParsedDag(_spec("a"), "x"), processed_files=[FILE])
    assert result.deactivated_dag_ids == ["b"]
    assert _dag(metastore, "b").is_active is False
    _sync(metastore, ParsedDag(_spec("b"), "x"), processed_files=[FILE])
    assert _dag(metastore, "b").is_active is True


def test_a_dag_that_moved_to_another_file_stays_active(metastore: Metastore) -> None:
    _sync(metastore, ParsedDag(_spec(), "x"), processed_files=[FILE])
    moved = _spec(fileloc="/dags/new_home.py")
    _sync(metastore, ParsedDag(moved, "x"), processed_files=["/dags/new_home.py", FILE])
    model = _dag(metastore)
    assert model.is_active and model.fileloc == "/dags/new_home.py"


def test_tags_follow_the_dag(metastore: Metastore) -> None:
    _sync(metastore, ParsedDag(_spec(), "x"))
    _sync(metastore, ParsedDag(_spec(tags=("etl", "hourly")), "x"))
    with metastore.session() as session:
        tags = set(session.execute(select(DagTag.name)).scalars())
    assert tags == {"etl", "hourly"}


def test_outlets_and_schedule_datasets_get_rows(metastore: Metastore) -> None:
    consumer = _spec(
        "consumer",
        schedule=ScheduleSpec(kind="datasets", dataset_uris=("s3://out/data.csv", "file:///x")),
        tasks=(TaskSpec("read"),),
    )
    _sync(metastore, ParsedDag(_spec(), "x"), ParsedDag(consumer, "y"))
    with metastore.session() as session:
        uris = set(session.execute(select(Dataset.uri)).scalars())
        scheduled = session.execute(
            select(Dataset.uri)
            .join(DagScheduleDataset, DagScheduleDataset.dataset_id == Dataset.id)
            .where(DagScheduleDataset.dag_id == "consumer")
        ).scalars()
        assert uris == {"s3://out/data.csv", "file:///x"}
        assert set(scheduled) == {"s3://out/data.csv", "file:///x"}
    narrower = replace(
        consumer, schedule=ScheduleSpec(kind="datasets", dataset_uris=("file:///x",))
    )
    _sync(metastore, ParsedDag(narrower, "y2"))
    with metastore.session() as session:
        rows = session.execute(select(DagScheduleDataset)).scalars().all()
    assert len(rows) == 1


def test_dags_of_deleted_files_are_deactivated(metastore: Metastore, tmp_path: Path) -> None:
    alive = tmp_path / "alive.py"
    alive.write_text("x")
    _sync(
        metastore,
        ParsedDag(_spec("kept", fileloc=str(alive)), "x"),
        ParsedDag(_spec("gone", fileloc=str(tmp_path / "deleted.py")), "x"),
        import_errors={str(tmp_path / "broken_deleted.py"): "boom"},
    )
    with metastore.session() as session:
        dead = deactivate_missing_files(session, [str(alive)], under_folder=str(tmp_path))
    assert dead == ["gone"]
    with metastore.session() as session:
        assert session.execute(select(ImportError_)).first() is None


def test_reading_an_unknown_dag_raises_dag_not_found(metastore: Metastore) -> None:
    with metastore.session() as session, pytest.raises(DagNotFound):
        load_spec(session, "nope")
