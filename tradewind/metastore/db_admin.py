"""Creating, upgrading, resetting and checking the metastore schema (``tradewind db ...``).

Alembic is configured in code: the migrations live in ``tradewind/metastore/migrations`` and are
run over the Metastore's own engine (so SQLite gets its WAL and BEGIN IMMEDIATE settings).
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import inspect, text
from sqlalchemy.engine import Connection
from sqlalchemy.exc import DBAPIError, OperationalError

from tradewind.config.masking import mask_url
from tradewind.errors import MetastoreError
from tradewind.metastore.engine import Metastore
from tradewind.metastore.models import Base

if TYPE_CHECKING:
    from tradewind.config import Settings

MIGRATIONS = Path(__file__).resolve().parent / "migrations"
VERSION_TABLE = "alembic_version"


@dataclass(frozen=True)
class SchemaStatus:
    """Where a metastore's schema stands against the migrations shipped with this version."""

    url: str
    current: str | None
    head: str

    @property
    def at_head(self) -> bool:
        return self.current == self.head

    def describe(self) -> str:
        if self.at_head:
            return f"The metastore at {self.url} is up to date (revision {self.head})."
        if self.current is None:
            return f"The metastore at {self.url} is reachable but not initialised."
        return (
            f"The metastore at {self.url} is at revision {self.current}, "
            f"the migrations' head is {self.head}."
        )


def alembic_config(connection: Connection | None = None) -> Config:
    """An Alembic config for the shipped migrations, optionally bound to an open connection."""
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    if connection is not None:
        config.attributes["connection"] = connection
    return config


def head_revision() -> str:
    head = ScriptDirectory.from_config(alembic_config()).get_current_head()
    assert head is not None, "no migrations shipped"
    return head


def upgrade(metastore: Metastore, revision: str = "head") -> None:
    """Run the migrations up to ``revision``. A schema made by ``create_all`` without Alembic
    (tests, old installs) is stamped at head instead of being created twice."""
    with _connect(metastore) as conn, _quiet_alembic():
        names = set(inspect(conn).get_table_names())
        config = alembic_config(conn)
        if VERSION_TABLE not in names and names >= set(Base.metadata.tables):
            command.stamp(config, "head")
        else:
            command.upgrade(config, revision)


def init(settings: Settings, metastore: Metastore | None = None) -> list[str]:
    """Bring the schema to head, create ``default_pool`` and a Fernet key if none is set.

    Returns the messages to show the user.
    """
    from tradewind.metastore.pools import ensure_default_pool
    from tradewind.metastore.secrets import ensure_fernet_key

    store = metastore or Metastore.from_settings(settings)
    try:
        upgrade(store)
        with store.session() as session:
            ensure_default_pool(session, slots=settings.core.default_pool_slots)
    finally:
        if metastore is None:
            store.dispose()
    messages = [f"Initialised the metastore at {mask_url(store.url)}."]
    fernet_message = ensure_fernet_key(settings)
    if fernet_message:
        messages.append(fernet_message)
    return messages


def reset(settings: Settings, metastore: Metastore | None = None) -> list[str]:
    """Drop every Tradewind table (and Alembic's version table), then :func:`init` again."""
    store = metastore or Metastore.from_settings(settings)
    try:
        with _connect(store) as conn:
            Base.metadata.drop_all(conn)
            conn.execute(text(f"DROP TABLE IF EXISTS {VERSION_TABLE}"))
        return [f"Dropped every table of {mask_url(store.url)}.", *init(settings, store)]
    finally:
        if metastore is None:
            store.dispose()


def check(settings: Settings, metastore: Metastore | None = None) -> SchemaStatus:
    """Connect and report the schema's revision against the shipped head."""
    store = metastore or Metastore.from_settings(settings)
    try:
        with _connect(store) as conn, _quiet_alembic():
            current = MigrationContext.configure(conn).get_current_revision()
        return SchemaStatus(url=mask_url(store.url), current=current, head=head_revision())
    finally:
        if metastore is None:
            store.dispose()


@contextmanager
def _connect(metastore: Metastore) -> Iterator[Connection]:
    """A connection in a transaction; an unreachable database becomes one MetastoreError."""
    try:
        conn = metastore.engine.connect()
    except (OperationalError, DBAPIError) as exc:
        raise _unreachable(metastore.url, exc) from None
    try:
        with conn.begin():
            yield conn
    finally:
        conn.close()


@contextmanager
def _quiet_alembic() -> Iterator[None]:
    """Alembic narrates every step at INFO; a user running `db init` needs only our summary."""
    logger = logging.getLogger("alembic")
    level = logger.level
    logger.setLevel(logging.WARNING)
    try:
        yield
    finally:
        logger.setLevel(level)


def _unreachable(url: str, exc: BaseException) -> MetastoreError:
    original = getattr(exc, "orig", None) or exc
    lines = str(original).strip().splitlines()
    return MetastoreError(
        f"cannot connect to the metastore at {mask_url(url)}: {lines[0] if lines else original}",
        hint="check TRADEWIND__DATABASE__URL and that the database server is running",
    )
