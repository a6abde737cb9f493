"""Migrations and schema administration (tradewind.metastore.db_admin, migrations/)."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import create_engine, inspect, select, text

from tradewind.config import Settings, load_settings
from tradewind.errors import MetastoreError
from tradewind.metastore import db_admin
from tradewind.metastore.engine import Metastore
from tradewind.metastore.migrations.env import render_item
from tradewind.metastore.models import Base, Pool, Variable

PG_ADMIN_URL = os.environ.get(
    "TRADEWIND_TEST_PG_ADMIN_URL", "postgresql+psycopg2://postgres@127.0.0.1:5432/postgres"
)
MARIADB_URL = os.environ.get(
    "TRADEWIND_TEST_MARIADB_URL", "mysql+pymysql://root@127.0.0.1:3306/test"
)
TABLES = set(Base.metadata.tables)


@pytest.fixture(params=["sqlite", "postgres"])
def empty_db_url(request: pytest.FixtureRequest, tw_home: Path) -> Iterator[str]:
    """A database with no tables at all."""
    if request.param == "sqlite":
        yield f"sqlite:///{tw_home / 'empty.db'}"
        return
    name = f"tw_mig_{uuid.uuid4().hex[:10]}"
    admin = create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    yield PG_ADMIN_URL.rsplit("/", 1)[0] + "/" + name
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


@pytest.fixture
def empty_settings(empty_db_url: str, monkeypatch: pytest.MonkeyPatch) -> Settings:
    monkeypatch.setenv("TRADEWIND__DATABASE__URL", empty_db_url)
    return load_settings()


def differences(metastore: Metastore) -> list:
    with metastore.engine.connect() as conn:
        context = MigrationContext.configure(
            conn, opts={"compare_type": True, "render_item": render_item}
        )
        return compare_metadata(context, Base.metadata)


def test_the_migrations_build_exactly_the_models_tables(empty_db_url: str) -> None:
    store = Metastore(empty_db_url)
    try:
        db_admin.upgrade(store)
        assert set(inspect(store.engine).get_table_names()) == TABLES | {"alembic_version"}
        assert differences(store) == []
    finally:
        store.dispose()


def test_the_migrations_run_on_mariadb_too() -> None:
    store = Metastore(MARIADB_URL)
    try:
        with store.engine.begin() as conn:  # a clean slate, whatever an earlier run left
            Base.metadata.drop_all(conn)
            conn.execute(text("DROP TABLE IF EXISTS alembic_version"))
        db_admin.upgrade(store)
        assert differences(store) == []
        with store.engine.connect() as conn, conn.begin():
            command.downgrade(db_admin.alembic_config(conn), "base")
        assert set(inspect(store.engine).get_table_names()) == {"alembic_version"}
    finally:
        with store.engine.begin() as conn:
            conn.execute(text("DROP TABLE IF EXISTS alembic_version"))
        store.dispose()


def test_downgrading_to_base_removes_every_table(empty_db_url: str) -> None:
    store = Metastore(empty_db_url)
    try:
        db_admin.upgrade(store)
        with store.engine.connect() as conn, conn.begin():
            command.downgrade(db_admin.alembic_config(conn), "base")
        assert set(inspect(store.engine).get_table_names()) == {"alembic_version"}
    finally:
        store.dispose()


def test_init_creates_the_schema_the_default_pool_and_a_fernet_key(
    empty_settings: Settings, tw_home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("TRADEWIND__CORE__FERNET_KEY")
    settings = load_settings()
    messages = db_admin.init(settings)
    assert "Initialised the metastore" in messages[0]
    assert any("Fernet key" in m for m in messages)
    assert "fernet_key" in (tw_home / "tradewind.toml").read_text()
    assert db_admin.check(settings).at_head
    store = Metastore.from_settings(settings)
    try:
        with store.session() as session:
            assert session.execute(select(Pool.pool, Pool.slots)).all() == [("default_pool", 128)]
    finally:
        store.dispose()
    again = db_admin.init(load_settings())  # idempotent, and the key now exists
    assert len(again) == 1


def test_init_adopts_a_schema_created_without_alembic(metastore: Metastore, settings) -> None:
    assert db_admin.check(settings, metastore).current is None
    db_admin.init(settings, metastore)
    assert db_admin.check(settings, metastore).at_head


def test_check_reports_an_empty_database_as_not_initialised(empty_settings: Settings) -> None:
    status = db_admin.check(empty_settings)
    assert not status.at_head and status.current is None
    assert "not initialised" in status.describe()


def test_reset_drops_the_data_and_initialises_again(empty_settings: Settings) -> None:
    db_admin.init(empty_settings)
    store = Metastore.from_settings(empty_settings)
    try:
        with store.session() as session:
            session.add(Variable(key="k", val="v"))
        messages = db_admin.reset(empty_settings, store)
        assert messages[0].startswith("Dropped every table")
        with store.session() as session:
            assert session.execute(select(Variable)).first() is None
            assert session.execute(select(Pool.pool)).scalars().all() == ["default_pool"]
        assert db_admin.check(empty_settings, store).at_head
    finally:
        store.dispose()


def test_an_unreachable_database_is_one_clear_error(tw_home: Path) -> None:
    settings = load_settings({"TRADEWIND_HOME": str(tw_home)})
    settings.database.url = "postgresql+psycopg2://bob:hunter2@127.0.0.1:1/nowhere"
    with pytest.raises(MetastoreError, match=r"cannot connect to the metastore at .*bob:\*\*\*@"):
        db_admin.check(settings)
