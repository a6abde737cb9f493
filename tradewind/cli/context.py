"""What a command needs, built once at the command's start: settings and the metastore."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

from tradewind.config import Settings, load_settings


@dataclass
class CommandContext:
    settings: Settings

    @cached_property
    def metastore(self):  # -> Metastore; imported lazily to keep `--help` fast
        from tradewind.metastore.engine import Metastore, set_default_metastore

        store = Metastore.from_settings(self.settings)
        set_default_metastore(store)
        return store


def command_context() -> CommandContext:
    return CommandContext(settings=load_settings())
