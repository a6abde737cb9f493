"""``FileSensor``: wait for a file or folder, as ``airflow.sensors.filesystem.FileSensor``."""

from __future__ import annotations

import os
from collections.abc import Sequence
from datetime import datetime
from glob import glob
from typing import Any, ClassVar

from tradewind.sensors.base import BaseSensorOperator


class FileSensor(BaseSensorOperator):
    """Done when ``filepath`` (a glob pattern, relative to the ``fs_conn_id`` connection's
    extra ``{"path": ...}``) matches a file, or a folder that holds files."""

    template_fields: ClassVar[Sequence[str]] = ("filepath",)
    ui_color = "#91818a"

    def __init__(
        self,
        *,
        filepath: str,
        fs_conn_id: str = "fs_default",
        recursive: bool = False,
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        self.filepath = filepath
        self.fs_conn_id = fs_conn_id
        self.recursive = recursive

    @property
    def path(self) -> str:
        from tradewind.hooks.filesystem import FSHook

        return os.path.join(FSHook(self.fs_conn_id).get_path(), self.filepath)

    def poke(self, context: dict[str, Any]) -> bool:
        full_path = self.path
        self.log.info("Poking for file %s", full_path)
        for path in glob(full_path, recursive=self.recursive):
            if os.path.isfile(path):
                mod_time = datetime.fromtimestamp(os.path.getmtime(path)).strftime("%Y%m%d%H%M%S")
                self.log.info("Found File %s last modified: %s", path, mod_time)
                return True
            for _, _, files in os.walk(path):
                if files:
                    return True
        return False
