"""`tradewind pools set|get|list|delete|import|export`, as Airflow's."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import click

from tradewind.cli.context import command_context
from tradewind.cli.output import output_option, print_rows
from tradewind.errors import TradewindError

COLUMNS = ["pool", "slots", "running", "queued", "open_slots", "description"]


def _rows(stats: dict[str, Any], names: list[str] | None = None) -> list[dict[str, Any]]:
    return [
        {
            "pool": s.pool,
            "slots": s.slots,
            "running": s.running,
            "queued": s.queued,
            "open_slots": s.open,
            "description": s.description,
        }
        for name, s in sorted(stats.items())
        if names is None or name in names
    ]


@click.group()
def pools() -> None:
    """Set, show, list and delete pools of task slots."""


@pools.command("set", context_settings={"ignore_unknown_options": True})
@click.argument("name")
@click.argument("slots", type=int)
@click.argument("description")
def set_pool(name: str, slots: int, description: str) -> None:
    """Create pool NAME with SLOTS slots (-1: unlimited), or change it."""
    ctx = command_context()
    with ctx.metastore.session() as session:
        _store(session, name, slots, description)
    click.echo(f"Pool {name} created")


def _store(session: Any, name: str, slots: Any, description: str | None) -> None:
    """Create or change a pool; -1 slots is an unlimited pool, as in Airflow."""
    from tradewind.metastore.pools import set_pool as store

    store(session, name, slots, description)


@pools.command("get")
@click.argument("name")
@output_option
def get_pool(name: str, output: str) -> None:
    """Show pool NAME with its used and open slots."""
    from tradewind.metastore.pools import get_pool as fetch
    from tradewind.metastore.pools import pool_stats

    ctx = command_context()
    with ctx.metastore.session() as session:
        fetch(session, name)  # a clear error for an unknown pool
        rows = _rows(pool_stats(session), [name])
    print_rows(rows, output, COLUMNS)


@pools.command("list")
@output_option
def list_pools(output: str) -> None:
    """List pools: slots, running, queued and open slots."""
    from tradewind.metastore.pools import pool_stats

    ctx = command_context()
    with ctx.metastore.session() as session:
        rows = _rows(pool_stats(session))
    print_rows(rows, output, COLUMNS)


@pools.command("delete")
@click.argument("name")
def delete_pool(name: str) -> None:
    """Delete pool NAME (default_pool cannot be deleted)."""
    from tradewind.metastore.pools import delete_pool as remove

    ctx = command_context()
    with ctx.metastore.session() as session:
        remove(session, name)
    click.echo(f"Pool {name} deleted")


@pools.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
def import_pools(file: Path) -> None:
    """Set the pools of a JSON file {name: {"slots": N, "description": "..."}}."""
    try:
        data = json.loads(file.read_text())
    except json.JSONDecodeError as exc:
        raise TradewindError(f"{file} is not valid JSON: {exc}") from None
    if not isinstance(data, dict) or not all(isinstance(v, dict) for v in data.values()):
        raise TradewindError(f'{file} must hold {{"name": {{"slots": N, "description": ...}}}}')
    ctx = command_context()
    with ctx.metastore.session() as session:
        for name, spec in data.items():
            if "slots" not in spec:
                raise TradewindError(f"pool {name!r} in {file} has no slots")
            _store(session, name, spec["slots"], spec.get("description"))
    click.echo(f"Uploaded {len(data)} pool(s)")


@pools.command("export")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
def export_pools(file: Path) -> None:
    """Write every pool to FILE as JSON."""
    from tradewind.metastore.pools import list_pools as fetch_all

    ctx = command_context()
    with ctx.metastore.session() as session:
        data = {
            p.pool: {"slots": p.slots, "description": p.description} for p in fetch_all(session)
        }
    file.write_text(json.dumps(data, indent=4, sort_keys=True) + "\n")
    click.echo(f"Exported {len(data)} pools to {file}")
