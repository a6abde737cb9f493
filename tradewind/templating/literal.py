"""Airflow's ``literal()`` (``airflow.utils.template.literal``, Airflow 2.8+): a value put in a
templated field as it is, never rendered, e.g. ``bash_command=literal("echo {{ not_jinja }}")``
or ``sql=literal("query.sql")`` to keep a name ending in a ``template_ext`` from being loaded."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

__all__ = ["LiteralValue", "literal"]


@dataclass(frozen=True)
class LiteralValue:
    """A value that rendering gives back unchanged (nested templates in it too)."""

    value: Any

    def iter_references(self) -> Iterable[tuple[Any, str]]:
        return ()

    def resolve(self, context: Mapping[str, Any] | None = None, **_: Any) -> Any:
        return self.value


def literal(value: Any) -> LiteralValue:
    """Wrap ``value`` so that templating leaves it as it is."""
    return LiteralValue(value)
