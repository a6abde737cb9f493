"""``FSHook``: a base path on the local file system, from a connection's extra ``{"path": ...}``
(as ``airflow.hooks.filesystem.FSHook``)."""

from __future__ import annotations

from typing import Any

from tradewind.errors import ConnectionNotFound
from tradewind.hooks.base import BaseHook


class FSHook(BaseHook):
    """``FSHook(fs_conn_id="fs_default").get_path()`` -> the base path ("" when the default
    connection is not defined, so relative paths are relative to the working directory)."""

    conn_name_attr = "fs_conn_id"
    default_conn_name = "fs_default"
    conn_type = "fs"
    hook_name = "File (path)"

    def __init__(self, fs_conn_id: str = default_conn_name, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.conn_id = fs_conn_id
        try:
            conn = self.get_connection(fs_conn_id)
        except ConnectionNotFound:
            if fs_conn_id != self.default_conn_name:
                raise
            self.basepath = ""
        else:
            self.basepath = conn.extra_dejson.get("path", "")
        self.conn = None

    def get_conn(self) -> None:
        return None

    def get_path(self) -> str:
        return self.basepath
