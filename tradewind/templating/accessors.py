"""``var``, ``conn`` and ``conf`` in the template context, as Airflow has them.

``{{ var.value.my_key }}``, ``{{ var.json.my_key.field }}``, ``{{ var.value.get("k", "dflt") }}``
(in Python also ``context["var"]["value"].my_key``), ``{{ conn.my_conn.host }}``,
``{{ conn.get("my_conn").password }}``, ``{{ conf.get("core", "dags_folder") }}``. Values are
read (through ``tradewind.sdk.variable`` / ``tradewind.sdk.connection`` /
``tradewind.configuration``) only when a template names them.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from tradewind.configuration import TradewindConfig

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


class VariableAccessor(Mapping[str, _VariableValues]):
    """``var``: ``var.value.X`` gives the string, ``var.json.X`` the parsed JSON. As in Airflow,
    where ``var`` is a dict, ``var["value"]`` and ``var["json"]`` are the same two."""

    def __init__(self) -> None:
        self.value = _VariableValues(deserialize_json=False)
        self.json = _VariableValues(deserialize_json=True)

    def __getitem__(self, kind: str) -> _VariableValues:
        if kind not in ("value", "json"):
            raise KeyError(kind)
        return self.value if kind == "value" else self.json

    def __iter__(self) -> Iterator[str]:
        return iter(("value", "json"))

    def __len__(self) -> int:
        return 2

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


class ConfigAccessor(TradewindConfig):
    """``conf``: the configuration, as Airflow's ``conf`` (``get``, ``getboolean``...).

    Like Airflow's (a ConfigParser), it is also a read-only mapping of sections to their
    options as strings: ``conf["core"]["dags_folder"]``, ``"smtp" in conf``, ``dict(conf)``."""

    def keys(self) -> tuple[str, ...]:
        from tradewind.config.settings import SECTIONS

        return SECTIONS

    def __iter__(self) -> Iterator[str]:
        return iter(self.keys())

    def __len__(self) -> int:
        return len(self.keys())

    def __contains__(self, section: object) -> bool:
        return section in self.keys()

    def __getitem__(self, section: str) -> dict[str, str]:
        options = self.getsection(section) if section in self else None
        if options is None:
            raise KeyError(section)
        return {key: _option_text(value) for key, value in options.items()}

    def __repr__(self) -> str:
        return "<conf>"


def _option_text(value: Any) -> str:
    """An option as ``get`` gives it: a string (``"True"``/``"False"`` for booleans)."""
    if isinstance(value, bool):
        return "True" if value else "False"
    return str(value)


#: the ``conf`` of every context (settings are read when an option is asked for)
CONFIG = ConfigAccessor()
