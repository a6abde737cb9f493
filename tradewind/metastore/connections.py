"""Connections in the metastore: password and extra Fernet-encrypted at rest. Helpers never
commit; they take and return :class:`tradewind.sdk.connection.Connection` objects."""

from __future__ import annotations

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from tradewind.errors import TradewindError
from tradewind.metastore.models import Connection as ConnectionRow
from tradewind.metastore.secrets import decrypt, encrypt_if_possible
from tradewind.sdk.connection import Connection


def _to_connection(row: ConnectionRow) -> Connection:
    password = row.password
    if password is not None and row.is_encrypted:
        password = decrypt(password, what=f"the password of connection {row.conn_id}")
    extra = row.extra
    if extra is not None and row.is_extra_encrypted:
        extra = decrypt(extra, what=f"the extra of connection {row.conn_id}")
    return Connection(
        conn_id=row.conn_id,
        conn_type=row.conn_type or None,
        description=row.description,
        host=row.host,
        login=row.login,
        password=password,
        schema=row.schema,
        port=row.port,
        extra=extra,
    )


def get_connection(session: Session, conn_id: str) -> Connection | None:
    row = session.scalar(select(ConnectionRow).where(ConnectionRow.conn_id == conn_id))
    return None if row is None else _to_connection(row)


def add_connection(session: Session, conn: Connection, *, replace: bool = False) -> None:
    """Store ``conn``; TradewindError when the id exists and ``replace`` is false."""
    if not conn.conn_id:
        raise TradewindError("a connection needs a conn_id")
    row = session.scalar(select(ConnectionRow).where(ConnectionRow.conn_id == conn.conn_id))
    if row is not None and not replace:
        raise TradewindError(
            f"A connection with `conn_id`={conn.conn_id} already exists.",
            hint=f"delete it first with `tradewind connections delete {conn.conn_id}`",
        )
    if row is None:
        row = ConnectionRow(conn_id=conn.conn_id)
        session.add(row)
    password, pw_encrypted = encrypt_if_possible(conn.password)
    extra, extra_encrypted = encrypt_if_possible(conn.extra or None)
    row.conn_type = conn.conn_type or ""
    row.description = conn.description
    row.host = conn.host
    row.schema = conn.schema
    row.login = conn.login
    row.port = conn.port
    row.password = password
    row.is_encrypted = pw_encrypted
    row.extra = extra
    row.is_extra_encrypted = extra_encrypted
    session.flush()


def delete_connection(session: Session, conn_id: str) -> int:
    result = session.execute(delete(ConnectionRow).where(ConnectionRow.conn_id == conn_id))
    return result.rowcount or 0


def list_connections(session: Session) -> list[Connection]:
    rows = session.scalars(select(ConnectionRow).order_by(ConnectionRow.conn_id))
    return [_to_connection(r) for r in rows]
