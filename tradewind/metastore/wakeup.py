"""Waking the scheduler when something it waits for happened (a try ended, a run was triggered).

Two backends behind one small contract, chosen by the metastore's dialect:

- Postgres: ``NOTIFY tradewind_wakeup`` inside the writer's transaction (delivered at commit, so
  the scheduler never wakes before the change is visible), ``LISTEN`` on a dedicated connection.
- SQLite (one machine by construction): a datagram on an abstract UNIX socket whose name is
  derived from the database file, sent after the writer's commit. No file, no cleanup, and a
  missing listener costs one failed ``sendto``.

The notify side is cheap and never raises: a lost wake-up only costs the scheduler's
``poll_interval``.
"""

from __future__ import annotations

import hashlib
import logging
import os
import select
import socket
from collections.abc import Sequence
from functools import lru_cache
from typing import TYPE_CHECKING, Any, Protocol

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from tradewind.metastore.engine import Metastore

CHANNEL = "tradewind_wakeup"
log = logging.getLogger(__name__)


class WakeupListener(Protocol):
    def fileno(self) -> int | None:
        """A descriptor readable when a wake-up arrived (None: poll only)."""

    def drain(self) -> int:
        """Consume pending wake-ups; return how many there were."""

    def close(self) -> None: ...


def _sqlite_address(database: str | None) -> bytes:
    path = os.path.abspath(database or ":memory:")
    digest = hashlib.sha256(path.encode()).hexdigest()[:24]
    return b"\0" + f"{CHANNEL}/{digest}".encode()


def _send_datagram(address: bytes) -> None:
    try:
        with socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM) as sock:
            sock.setblocking(False)
            sock.sendto(b"1", address)
    except OSError:
        pass  # nobody listens, or the listener's buffer is full: it is awake anyway


def notify_scheduler(session: Session) -> None:
    """Wake the scheduler once ``session``'s transaction commits (call it beside the write)."""
    try:
        bind = session.get_bind()
        if bind.dialect.name == "postgresql":
            from tradewind.metastore.engine import session_connection

            session_connection(session).execute(_notify_statement(), {"c": CHANNEL})
            return
        if bind.dialect.name == "sqlite":
            from sqlalchemy import event

            address = _sqlite_address(bind.url.database)
            event.listen(session, "after_commit", lambda _s: _send_datagram(address), once=True)
    except Exception:  # a wake-up must never fail the write it accompanies
        log.debug("could not send a scheduler wake-up", exc_info=True)


@lru_cache(maxsize=1)
def _notify_statement() -> Any:
    from sqlalchemy import text

    return text("SELECT pg_notify(:c, '')")


def notify_scheduler_now(metastore: Metastore) -> None:
    """Wake the scheduler now, outside any transaction of the caller."""
    if metastore.dialect == "sqlite":
        _send_datagram(_sqlite_address(metastore.engine.url.database))
        return
    with metastore.session() as session:
        notify_scheduler(session)


class _PollOnly:
    """No wake-ups (another listener holds the address): the loop relies on its poll interval."""

    def fileno(self) -> int | None:
        return None

    def drain(self) -> int:
        return 0

    def close(self) -> None:
        pass


class _DatagramListener:
    def __init__(self, address: bytes) -> None:
        self._sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
        self._sock.setblocking(False)
        self._sock.bind(address)

    def fileno(self) -> int | None:
        return self._sock.fileno()

    def drain(self) -> int:
        count = 0
        while True:
            try:
                self._sock.recv(64)
            except (BlockingIOError, InterruptedError):
                return count
            except OSError:
                return count
            count += 1

    def close(self) -> None:
        self._sock.close()


class _PostgresListener:
    """A dedicated autocommit connection that LISTENs; reconnects after a lost connection."""

    def __init__(self, metastore: Metastore) -> None:
        self._metastore = metastore
        self._conn: Any = None
        self._connect()

    def _connect(self) -> None:
        engine = self._metastore.engine
        cargs, cparams = engine.dialect.create_connect_args(engine.url)
        conn = engine.dialect.connect(*cargs, **cparams)  # outside the pool: autocommit
        conn.autocommit = True
        with conn.cursor() as cur:
            cur.execute(f"LISTEN {CHANNEL}")
        self._conn = conn

    def fileno(self) -> int | None:
        try:
            return self._conn.fileno() if self._conn is not None else None
        except Exception:
            return None

    def drain(self) -> int:
        try:
            if self._conn is None:
                self._connect()
            self._conn.poll()
            count = len(self._conn.notifies)
            self._conn.notifies.clear()
            return count
        except Exception:
            log.warning("lost the LISTEN connection; reconnecting", exc_info=True)
            self.close()
            try:
                self._connect()
            except Exception:
                self._conn = None
            return 1  # something may have been missed: act as woken

    def close(self) -> None:
        if self._conn is not None:
            try:
                self._conn.close()
            except Exception:
                pass
            self._conn = None


def open_listener(metastore: Metastore) -> WakeupListener:
    """The scheduler side: a listener for this metastore's wake-ups."""
    if metastore.dialect == "postgresql":
        return _PostgresListener(metastore)
    if metastore.dialect == "sqlite":
        try:
            return _DatagramListener(_sqlite_address(metastore.engine.url.database))
        except OSError:
            log.info("another process listens for this metastore's wake-ups; polling instead")
    return _PollOnly()


def wait_for_wakeup(
    listener: WakeupListener, timeout: float, extra_fds: Sequence[int] = ()
) -> bool:
    """Block until a wake-up, a readable ``extra_fds`` descriptor, or ``timeout`` seconds.

    Returns True when woken by the listener or a descriptor, False on timeout.
    """
    fds = [fd for fd in (listener.fileno(), *extra_fds) if fd is not None]
    if listener.drain():
        return True
    try:
        ready, _, _ = select.select(fds, [], [], max(0.0, timeout))
    except (InterruptedError, ValueError, OSError):
        return True
    if ready:
        listener.drain()
        return True
    return False
