"""``var`` and ``conn`` in the template context, as Airflow has them.

``{{ var.value.my_key }}``, ``{{ var.json.my_key.field }}``, ``{{ var.value.get("k", "dflt") }}``,
``{{ conn.my_conn.host }}``, ``{{ conn.get("my_conn").password }}``. Values are read (through
``tradewind.sdk.variable`` / ``tradewind.sdk.connection``) only when a template names them.
"""

from __future__ import annotations

from typing import Any

_NOTSET = object()


class _VariableValues:
    def __init__(self, deserialize_json: bool) -> None:
        self._json = deserialize_json

    def get(self, key: str, default: Any = _NOTSET) -> Any:
        from tradewind.sdk.variable import Variable

        if default is _NOTSET:
            return Variable.get(key, deserialize_json=self._json)
        return Variable.get(key, default_var=default, deserialize_json=self._json)

    def __getattr__(self, key: str) -> Any:
        if key.startswith("__"):
            raise AttributeError(key)
        return self.get(key)

    def __getitem__(self, key: str) -> Any:
        return self.get(key)

    def __repr__(self) -> str:
        return f"<var.{'json' if self._json else 'value'}>"


class VariableAccessor:
    """``var``: ``var.value.X`` gives the string, ``var.json.X`` the parsed JSON."""

    def __init__(self) -> None:
        self.value = _VariableValues(deserialize_json=False)
        self.json = _VariableValues(deserialize_json=True)

    def __repr__(self) -> str:
        return "<var>"


class ConnectionAccessor:
    """``conn``: ``conn.X`` is the Connection with id X."""

    def get(self, conn_id: str, default_conn: Any = _NOTSET) -> Any:
        from tradewind.sdk.connection import Connection

        try:
            return Connection.get_connection_from_secrets(conn_id)
        except Exception:
            if default_conn is _NOTSET:
                raise
            return default_conn

    def __getattr__(self, conn_id: str) -> Any:
        if conn_id.startswith("__"):
            raise AttributeError(conn_id)
        return self.get(conn_id)

    def __getitem__(self, conn_id: str) -> Any:
        return self.get(conn_id)

    def __repr__(self) -> str:
        return "<conn>"
