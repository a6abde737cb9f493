"""Print rows as a table, JSON or YAML (`-o table|json|yaml|plain`), like Airflow's lists."""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from datetime import date, datetime
from typing import Any, TypeVar

import click

F = TypeVar("F", bound=Callable[..., Any])


def output_option(func: F) -> F:
    return click.option(
        "-o",
        "--output",
        type=click.Choice(["table", "json", "yaml", "plain"]),
        default="table",
        show_default=True,
        help="Output format.",
    )(func)


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, list | tuple):
        return ", ".join(_cell(v) for v in value)
    if isinstance(value, dict):
        return json.dumps(value, default=str)
    return str(value)


def _jsonable(value: Any) -> Any:
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, dict):
        return {k: _jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_jsonable(v) for v in value]
    return value


def render_rows(
    rows: Sequence[dict[str, Any]], fmt: str, columns: Sequence[str] | None = None
) -> str:
    cols = list(columns or (rows[0].keys() if rows else []))
    if fmt == "json":
        return json.dumps([_jsonable({c: r.get(c) for c in cols}) for r in rows], indent=2)
    if fmt == "yaml":
        import yaml

        return yaml.safe_dump(
            [_jsonable({c: r.get(c) for c in cols}) for r in rows], sort_keys=False
        ).rstrip()
    if not rows:
        return "No data found"
    if fmt == "plain":
        return "\n".join("\t".join(_cell(r.get(c)) for c in cols) for r in rows)
    widths = [max(len(c), *(len(_cell(r.get(c))) for r in rows)) for c in cols]
    header = " | ".join(c.ljust(w) for c, w in zip(cols, widths, strict=True))
    rule = "=+=".join("=" * w for w in widths)
    body = [
        " | ".join(_cell(r.get(c)).ljust(w) for c, w in zip(cols, widths, strict=True))
        for r in rows
    ]
    return "\n".join([header, rule, *body])


def print_rows(
    rows: Sequence[dict[str, Any]], fmt: str, columns: Sequence[str] | None = None
) -> None:
    click.echo(render_rows(rows, fmt, columns))
