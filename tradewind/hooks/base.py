"""``BaseHook``: the base of every hook; finds connections by id."""

from __future__ import annotations

import logging
from typing import Any

from tradewind.sdk.connection import Connection


class BaseHook:
    """A client of an external system. Subclasses implement :meth:`get_conn`."""

    conn_name_attr: str = ""
    default_conn_name: str = ""
    conn_type: str = ""
    hook_name: str = ""

    def __init__(self, logger_name: str | None = None) -> None:
        self._log_config_logger_name = "tradewind.task.hooks"
        self._logger_name = logger_name

    @property
    def log(self) -> logging.Logger:
        name = self._logger_name or f"{type(self).__module__}.{type(self).__name__}"
        return logging.getLogger(name)

    @classmethod
    def get_connection(cls, conn_id: str) -> Connection:
        """The connection ``conn_id`` (environment ``TRADEWIND_CONN_<ID>`` first, then the
        metastore); :class:`tradewind.errors.ConnectionNotFound` when it is not defined."""
        conn = Connection.get_connection_from_secrets(conn_id)
        logging.getLogger(__name__).info("Using connection ID '%s' for task execution.", conn_id)
        return conn

    def get_conn(self) -> Any:
        """The underlying client or DB-API connection."""
        raise NotImplementedError(f"{type(self).__name__} does not implement get_conn()")
