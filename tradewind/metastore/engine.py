"""The metastore connection: one :class:`Metastore` per process, built from settings at an
entry point and passed down. Nothing here runs at import."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import create_engine, event
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.exc import ArgumentError, NoSuchModuleError
from sqlalchemy.orm import Session, sessionmaker

from tradewind.config.masking import mask_url
from tradewind.errors import MetastoreError


def _sqlite_pragmas(engine: Engine) -> None:
    """WAL so several processes can read while one writes; BEGIN IMMEDIATE so that a
    read-then-write transaction never fails half-way with "database is locked"."""

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn: Any, _record: Any) -> None:
        dbapi_conn.isolation_level = None
        cur = dbapi_conn.cursor()
        cur.execute("PRAGMA journal_mode=WAL")
        cur.execute("PRAGMA busy_timeout=60000")
        cur.execute("PRAGMA synchronous=NORMAL")
        cur.execute("PRAGMA foreign_keys=ON")
        cur.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Any) -> None:
        conn.exec_driver_sql("BEGIN IMMEDIATE")


def build_engine(url: str, *, pool_size: int = 5, echo: bool = False) -> Engine:
    kwargs: dict[str, Any] = {"echo": echo, "future": True}
    if url.startswith("sqlite"):
        path = url.split("///", 1)[-1] if "///" in url else ""
        if path and path != ":memory:":
            try:
                Path(path).parent.mkdir(parents=True, exist_ok=True)
            except OSError as exc:
                raise MetastoreError(f"cannot create the SQLite metastore {path}: {exc}") from None
        kwargs["connect_args"] = {"timeout": 60, "check_same_thread": False}
    else:
        kwargs.update(pool_size=pool_size, max_overflow=pool_size * 2)
        if url.startswith(("mysql", "mariadb")):
            kwargs["pool_recycle"] = 3600
    try:
        engine = create_engine(url, **kwargs)
    except (ArgumentError, NoSuchModuleError, ValueError) as exc:
        raise MetastoreError(f"cannot use database URL {mask_url(url)}: {exc}") from None
    if engine.dialect.name == "sqlite":
        _sqlite_pragmas(engine)
    else:
        _ping_idle_connections(engine)
    return engine


#: a pooled connection idle for longer than this is pinged before use
PING_AFTER_IDLE_SECONDS = 5.0


def _ping_idle_connections(engine: Engine) -> None:
    """Pessimistic disconnect handling, but only for connections that sat idle.

    ``pool_pre_ping`` would cost a round trip on every checkout, which is most of a short
    transaction in the scheduler's loop and a worker's claim; a connection used a moment ago is
    alive. A dead one (a restarted server) is replaced transparently by the pool.
    """
    import time

    from sqlalchemy import exc

    @event.listens_for(engine, "checkin")
    def _on_checkin(_dbapi_conn: Any, record: Any) -> None:
        record.info["tw_last_used"] = time.monotonic()

    @event.listens_for(engine, "checkout")
    def _on_checkout(dbapi_conn: Any, record: Any, _proxy: Any) -> None:
        last = record.info.get("tw_last_used")
        if last is None or time.monotonic() - last < PING_AFTER_IDLE_SECONDS:
            return
        try:
            cursor = dbapi_conn.cursor()
            cursor.execute("SELECT 1")
            cursor.close()
            dbapi_conn.rollback()  # the driver began a transaction for it: end it
        except Exception as error:
            raise exc.DisconnectionError(str(error)) from None


class Metastore:
    """An engine and its session factory."""

    def __init__(self, url: str, *, pool_size: int = 5, echo: bool = False) -> None:
        self.url = url
        self.engine = build_engine(url, pool_size=pool_size, echo=echo)
        self.sessionmaker = sessionmaker(self.engine, expire_on_commit=False)

    @classmethod
    def from_settings(cls, settings: Any) -> Metastore:
        db = settings.database
        return cls(db.url, pool_size=db.pool_size, echo=db.echo)

    @property
    def dialect(self) -> str:
        return self.engine.dialect.name

    @contextmanager
    def session(self) -> Iterator[Session]:
        """One transaction: committed on success, rolled back on error. Entry points only."""
        session = self.sessionmaker()
        try:
            yield session
            session.commit()
        except BaseException:
            session.rollback()
            raise
        finally:
            session.close()

    @contextmanager
    def driver_transaction(self, *, one_statement: bool = False) -> Iterator[Any]:
        """One transaction on a pooled driver connection, without a Session: for the few
        statements per try a worker runs, where the ORM's bookkeeping would cost more than the
        statement. Committed on success, rolled back on error.

        ``one_statement``: the caller runs a single statement, which is its own transaction
        (autocommit): one round trip to the server instead of three (begin, it, commit). It
        commits as it runs: nothing is rolled back after it."""
        connection = self.engine.raw_connection()
        try:
            if one_statement:
                connection.dbapi_connection.rollback()  # none open, unless a checkout ping's
                connection.dbapi_connection.autocommit = True
            yield connection
            connection.commit()
        except BaseException as error:
            self._end_failed(connection, error)
            dbapi = self.engine.dialect.loaded_dbapi
            if isinstance(error, dbapi.Error):  # as a Session would raise it
                from sqlalchemy.exc import DBAPIError

                raise DBAPIError.instance(None, None, error, dbapi.Error) from error
            raise
        finally:
            if one_statement and connection.dbapi_connection is not None:
                try:
                    connection.dbapi_connection.autocommit = False
                except Exception:  # a dead connection: the pool discards it
                    connection.invalidate()
            connection.close()

    def _end_failed(self, connection: Any, error: BaseException) -> None:
        """Roll back; a connection the server dropped is discarded, not put back in the pool."""
        try:
            connection.rollback()
        except Exception:
            connection.invalidate()
            return
        dialect = self.engine.dialect
        if isinstance(error, dialect.loaded_dbapi.Error) and dialect.is_disconnect(
            error, connection.dbapi_connection, None
        ):
            connection.invalidate()

    def dispose(self) -> None:
        self.engine.dispose()


def session_connection(session: Session) -> Connection:
    """The connection of ``session``'s transaction, for SQLAlchemy Core statements executed on
    it directly (no ORM execution machinery), after flushing what the session holds pending, as
    an ORM statement would (autoflush)."""
    if session.autoflush:
        session.flush()
    return session.connection()


_default_lock = threading.Lock()
_default: Metastore | None = None


def set_default_metastore(metastore: Metastore | None) -> None:
    """Entry points (a try, a CLI command) set the metastore that ``Variable.get`` and hooks use."""
    global _default
    with _default_lock:
        _default = metastore


def get_default_metastore() -> Metastore:
    """The process's metastore, built from settings on first use (not at import)."""
    global _default
    with _default_lock:
        if _default is None:
            from tradewind.config import load_settings

            _default = Metastore.from_settings(load_settings())
        return _default
