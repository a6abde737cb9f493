"""`tradewind variables set|get|list|delete|import|export`, as Airflow's.

``list`` shows the values of secret-looking keys as ``***``; ``get`` prints the one value asked
for (so scripts can use it), ``export`` writes values to a file, never to the terminal.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import click

from tradewind.cli.context import command_context
from tradewind.cli.output import output_option, print_rows
from tradewind.errors import TradewindError, VariableNotFound
from tradewind.runtime.secrets_masker import MASK, should_mask_key


@click.group()
def variables() -> None:
    """Set, get, list, delete, import and export variables."""


@variables.command("set")
@click.argument("key")
@click.argument("value")
@click.option("--description", help="What the variable is for.")
@click.option("-j", "--serialize-json", is_flag=True, help="Store VALUE parsed as JSON.")
def set_variable(key: str, value: str, description: str | None, serialize_json: bool) -> None:
    """Set KEY to VALUE."""
    from tradewind.metastore.variables import set_variable as store

    if serialize_json:
        try:
            value = json.dumps(json.loads(value), indent=2)
        except json.JSONDecodeError as exc:
            raise TradewindError(f"VALUE is not valid JSON: {exc}") from None
    ctx = command_context()
    with ctx.metastore.session() as session:
        store(session, key, value, description)
    click.echo(f"Variable {key} created")


@variables.command("get")
@click.argument("key")
@click.option("-j", "--json", "deserialize_json", is_flag=True, help="Parse the value as JSON.")
@click.option("-d", "--default", "default", help="Printed when KEY does not exist.")
def get_variable(key: str, deserialize_json: bool, default: str | None) -> None:
    """Print the value of KEY."""
    from tradewind.sdk.variable import NO_DEFAULT, Variable

    command_context().metastore  # noqa: B018  (sets the default metastore for Variable)
    try:
        value = Variable.get(
            key,
            default_var=NO_DEFAULT if default is None else default,
            deserialize_json=deserialize_json,
        )
    except VariableNotFound as exc:
        raise TradewindError(exc.message, hint="run `tradewind variables list`") from None
    except json.JSONDecodeError as exc:
        raise TradewindError(f"the value of {key} is not valid JSON: {exc}") from None
    click.echo(json.dumps(value, indent=2) if deserialize_json else value)


@variables.command("list")
@output_option
def list_variables(output: str) -> None:
    """List variables; values of secret-looking keys are shown as ***."""
    from tradewind.metastore.variables import list_variables as fetch_all

    ctx = command_context()
    with ctx.metastore.session() as session:
        rows = fetch_all(session)
    print_rows(
        [
            {
                "key": v.key,
                "val": MASK if should_mask_key(v.key) else v.val,
                "description": v.description,
                "is_encrypted": v.is_encrypted,
            }
            for v in rows
        ],
        output,
        ["key", "val", "description", "is_encrypted"],
    )


@variables.command("delete")
@click.argument("key")
def delete_variable(key: str) -> None:
    """Delete KEY."""
    from tradewind.metastore.variables import delete_variable as remove

    ctx = command_context()
    with ctx.metastore.session() as session:
        deleted = remove(session, key)
    if not deleted:
        raise TradewindError(f"Variable {key} does not exist")
    click.echo(f"Variable {key} deleted")


def _import_value(value: Any) -> tuple[str, str | None]:
    """Airflow's import format: a value, or {"value": ..., "description": ...}."""
    description = None
    if isinstance(value, dict) and "value" in value and set(value) <= {"value", "description"}:
        description = value.get("description")
        value = value["value"]
    if not isinstance(value, str):
        value = json.dumps(value, indent=2)
    return value, description


@variables.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option(
    "-a",
    "--action-on-existing-key",
    type=click.Choice(["overwrite", "fail", "skip"]),
    default="overwrite",
    show_default=True,
)
def import_variables(file: Path, action_on_existing_key: str) -> None:
    """Set the variables of a JSON file {key: value}."""
    from tradewind.metastore.variables import get_variable as fetch
    from tradewind.metastore.variables import set_variable as store

    try:
        data = json.loads(file.read_text())
    except json.JSONDecodeError as exc:
        raise TradewindError(f"{file} is not valid JSON: {exc}") from None
    if not isinstance(data, dict):
        raise TradewindError(f"{file} must hold a JSON object {{key: value}}")
    ctx = command_context()
    done = 0
    with ctx.metastore.session() as session:
        existing = [k for k in data if fetch(session, k) is not None]
        if existing and action_on_existing_key == "fail":
            raise TradewindError(f"Failed. These keys: {sorted(existing)} already exist.")
        for key, raw in data.items():
            if key in existing and action_on_existing_key == "skip":
                continue
            value, description = _import_value(raw)
            store(session, key, value, description)
            done += 1
    click.echo(f"{done} of {len(data)} variables successfully updated.")


@variables.command("export")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
def export_variables(file: Path) -> None:
    """Write every variable to FILE as JSON {key: value} (JSON values kept as JSON)."""
    from tradewind.metastore.variables import list_variables as fetch_all

    ctx = command_context()
    with ctx.metastore.session() as session:
        rows = fetch_all(session)
    data: dict[str, Any] = {}
    for v in rows:
        try:
            data[v.key] = json.loads(v.val)
        except json.JSONDecodeError:
            data[v.key] = v.val
    file.write_text(json.dumps(data, sort_keys=True, indent=4) + "\n")
    click.echo(f"{len(data)} variables successfully exported to {file}")
