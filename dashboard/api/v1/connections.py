"""Connections: CRUD for the Op role. Passwords are write-only: never in a response."""

from __future__ import annotations

import json
from typing import Any

from sqlalchemy import select

from dashboard.api.v1.endpoint import Call, Endpoint
from dashboard.api.v1.pagination import PAGE_PARAMS, page
from dashboard.api.v1.schemas import ID, NULLABLE_STRING, collection, obj
from dashboard.auth.permissions import EDIT_ADMIN
from tradewind.errors import ConnectionNotFound
from tradewind.metastore.models import Connection as ConnectionRow

_FIELDS = ("conn_type", "description", "host", "login", "schema", "port", "password", "extra")


def connection_json(conn: Any) -> dict[str, Any]:
    return {
        "connection_id": conn.conn_id,
        "conn_type": conn.conn_type,
        "description": conn.description,
        "host": conn.host,
        "login": conn.login,
        "schema": conn.schema,
        "port": conn.port,
        "extra": _redacted_extra(conn.extra),
        "has_password": bool(conn.password),
    }


def _redacted_extra(extra: str | None) -> str | None:
    from tradewind.runtime.secrets_masker import redact_value

    if not extra:
        return extra
    try:
        parsed = json.loads(extra)
    except ValueError:
        return extra
    return json.dumps(redact_value(parsed))


def _load(call: Call, conn_id: str) -> Any:
    from tradewind.metastore.connections import get_connection

    conn = get_connection(call.session, conn_id)
    if conn is None:
        raise ConnectionNotFound(f"connection {conn_id!r} not found")
    return conn


def get_connections(call: Call) -> dict[str, Any]:
    from tradewind.metastore.connections import get_connection

    rows, total = page(
        call.session,
        select(ConnectionRow.conn_id).order_by(ConnectionRow.conn_id),
        [],
        call,
        count_from=ConnectionRow,
    )
    conns = [get_connection(call.session, r[0]) for r in rows]
    return {"connections": [connection_json(c) for c in conns if c], "total_entries": total}


def get_connection(call: Call) -> dict[str, Any]:
    return connection_json(_load(call, call.path["connection_id"]))


def _save(call: Call, conn_id: str, fields: dict[str, Any], *, replace: bool) -> dict[str, Any]:
    from tradewind.metastore.connections import add_connection
    from tradewind.sdk.connection import Connection

    extra = fields.get("extra")
    if isinstance(extra, dict):
        fields["extra"] = json.dumps(extra)
    add_connection(call.session, Connection(conn_id=conn_id, **fields), replace=replace)
    return connection_json(_load(call, conn_id))


def post_connection(call: Call) -> dict[str, Any]:
    from dashboard.errors import ApiError

    body = call.body
    exists = call.session.scalar(
        select(ConnectionRow.id).where(ConnectionRow.conn_id == body["connection_id"])
    )
    if exists is not None:
        raise ApiError(409, f"connection {body['connection_id']!r} already exists")
    fields = {name: body[name] for name in _FIELDS if name in body}
    return _save(call, body["connection_id"], fields, replace=False)


def patch_connection(call: Call) -> dict[str, Any]:
    """Change the fields given; the others (the password too) keep their stored values."""
    conn_id = call.path["connection_id"]
    current = _load(call, conn_id)
    fields = {name: getattr(current, name) for name in _FIELDS}
    fields.update({name: call.body[name] for name in _FIELDS if name in call.body})
    return _save(call, conn_id, fields, replace=True)


def delete_connection(call: Call) -> None:
    from tradewind.metastore.connections import delete_connection as delete

    _load(call, call.path["connection_id"])
    delete(call.session, call.path["connection_id"])


_PORT = {"type": ["integer", "null"], "minimum": 0, "maximum": 65535}
_BODY = {
    "conn_type": {"type": ["string", "null"], "maxLength": 500},
    "description": NULLABLE_STRING,
    "host": {"type": ["string", "null"], "maxLength": 500},
    "login": NULLABLE_STRING,
    "schema": {"type": ["string", "null"], "maxLength": 500},
    "port": _PORT,
    "password": NULLABLE_STRING,
    "extra": {"type": ["string", "object", "null"]},
}
_CONN = obj({"connection_id": {"type": "string"}, "conn_type": {"type": ["string", "null"]}})
_PATH = "/connections/{connection_id}"
ENDPOINTS: tuple[Endpoint, ...] = (
    Endpoint(
        "GET",
        "/connections",
        get_connections,
        "List connections (passwords never shown)",
        "Connection",
        role=EDIT_ADMIN,
        query=PAGE_PARAMS,
        response=collection("connections", _CONN),
    ),
    Endpoint(
        "GET",
        _PATH,
        get_connection,
        "Get a connection (no password)",
        "Connection",
        role=EDIT_ADMIN,
        response=_CONN,
    ),
    Endpoint(
        "POST",
        "/connections",
        post_connection,
        "Create a connection",
        "Connection",
        role=EDIT_ADMIN,
        body=obj({"connection_id": ID, **_BODY}, ["connection_id", "conn_type"]),
        response=_CONN,
    ),
    Endpoint(
        "PATCH",
        _PATH,
        patch_connection,
        "Change a connection's fields",
        "Connection",
        role=EDIT_ADMIN,
        body=obj(_BODY),
        response=_CONN,
    ),
    Endpoint(
        "DELETE",
        _PATH,
        delete_connection,
        "Delete a connection",
        "Connection",
        role=EDIT_ADMIN,
        status=204,
    ),
)
