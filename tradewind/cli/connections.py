"""`tradewind connections add|get|list|delete|export|import|rotate-fernet-key`, as Airflow's.

Passwords and secret-looking extras are shown as ``***``: secrets never reach the terminal.
"""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import click

from tradewind.cli.context import command_context
from tradewind.cli.output import output_option, print_rows
from tradewind.errors import TradewindError
from tradewind.runtime.secrets_masker import MASK, redact_value
from tradewind.sdk.connection import Connection

COLUMNS = ["conn_id", "conn_type", "description", "host", "schema", "login", "password", "port"]


def masked_uri(conn: Connection) -> str:
    """``conn.get_uri()`` with the password and secret extras replaced by ``***``."""
    shown = copy.copy(conn)
    if conn.password:
        shown.password = "MASKEDPASSWORD"
    if conn.extra_dejson:
        shown.extra = json.dumps(redact_value(conn.extra_dejson))
    return shown.get_uri().replace("MASKEDPASSWORD", MASK)


def masked_row(conn: Connection) -> dict[str, Any]:
    return {
        "conn_id": conn.conn_id,
        "conn_type": conn.conn_type,
        "description": conn.description,
        "host": conn.host,
        "schema": conn.schema,
        "login": conn.login,
        "password": MASK if conn.password else None,
        "port": conn.port,
        "extra_dejson": redact_value(conn.extra_dejson) if conn.extra else None,
        "get_uri": masked_uri(conn),
    }


@click.group()
def connections() -> None:
    """Add, show, list and delete connections (passwords are stored encrypted)."""


@connections.command("add")
@click.argument("conn_id")
@click.option("--conn-uri", help="The connection as a URI, e.g. postgresql://u:p@host:5432/db.")
@click.option("--conn-json", help="The connection as Airflow's JSON object.")
@click.option("--conn-type", help="Connection type (postgres, http, sqlite, fs...).")
@click.option("--conn-host")
@click.option("--conn-login")
@click.option("--conn-password")
@click.option("--conn-schema")
@click.option("--conn-port", type=int)
@click.option("--conn-extra", help="Extra fields as a JSON object.")
@click.option("--conn-description")
def add_connection(
    conn_id: str,
    conn_uri: str | None,
    conn_json: str | None,
    conn_type: str | None,
    conn_host: str | None,
    conn_login: str | None,
    conn_password: str | None,
    conn_schema: str | None,
    conn_port: int | None,
    conn_extra: str | None,
    conn_description: str | None,
) -> None:
    """Add a connection from --conn-uri, --conn-json or the --conn-* fields."""
    fields = (conn_type, conn_host, conn_login, conn_password, conn_schema, conn_port)
    if conn_uri and conn_json:
        raise TradewindError("give either --conn-uri or --conn-json, not both")
    if (conn_uri or conn_json) and any(v is not None for v in fields):
        raise TradewindError(
            "--conn-uri/--conn-json cannot be combined with --conn-type, --conn-host, ...",
            hint="put everything in the URI, or use the --conn-* options alone",
        )
    if conn_extra is not None:
        try:
            json.loads(conn_extra)
        except json.JSONDecodeError as exc:
            raise TradewindError(f"--conn-extra is not valid JSON: {exc}") from None
    if conn_uri:
        conn = Connection(conn_id=conn_id, uri=conn_uri, description=conn_description)
        if conn_extra is not None:
            conn.extra = conn_extra
    elif conn_json:
        conn = Connection.from_json(conn_json, conn_id=conn_id)
    else:
        if not conn_type:
            raise TradewindError(
                "a connection needs --conn-uri, --conn-json or --conn-type",
                hint="e.g. --conn-uri postgresql://user:pass@localhost:5432/mydb",
            )
        conn = Connection(
            conn_id=conn_id,
            conn_type=conn_type,
            host=conn_host,
            login=conn_login,
            password=conn_password,
            schema=conn_schema,
            port=conn_port,
            extra=conn_extra,
            description=conn_description,
        )
    from tradewind.metastore.connections import add_connection as store

    ctx = command_context()
    with ctx.metastore.session() as session:
        store(session, conn)
    click.echo(f"Successfully added `conn_id`={conn_id} : {masked_uri(conn)}")


@connections.command("get")
@click.argument("conn_id")
@output_option
def get_connection(conn_id: str, output: str) -> None:
    """Show one connection, from the environment or the metastore (password masked)."""
    command_context().metastore  # noqa: B018  (the metastore the lookup falls back to)
    conn = Connection.get_connection_from_secrets(conn_id)
    print_rows([masked_row(conn)], output)


@connections.command("list")
@click.option("--conn-id", help="Only this connection.")
@output_option
def list_connections(conn_id: str | None, output: str) -> None:
    """List connections; passwords are shown as ***."""
    from tradewind.metastore.connections import list_connections as fetch_all

    ctx = command_context()
    with ctx.metastore.session() as session:
        conns = fetch_all(session)
    rows = [masked_row(c) for c in conns if conn_id is None or c.conn_id == conn_id]
    columns = COLUMNS if output in ("table", "plain") else None
    print_rows(rows, output, columns)


@connections.command("delete")
@click.argument("conn_id")
def delete_connection(conn_id: str) -> None:
    """Delete a connection."""
    from tradewind.metastore.connections import delete_connection as remove

    ctx = command_context()
    with ctx.metastore.session() as session:
        deleted = remove(session, conn_id)
    if not deleted:
        raise TradewindError(f"Did not find a connection with `conn_id`={conn_id}")
    click.echo(f"Successfully deleted connection with `conn_id`={conn_id}")


EXPORT_FORMATS = ("json", "yaml", "env")


@connections.command("export")
@click.argument("file", type=click.Path(dir_okay=False, allow_dash=True, path_type=Path))
@click.option(
    "--file-format", type=click.Choice(EXPORT_FORMATS), help="Default: from FILE's extension."
)
@click.option(
    "--format", "old_format", type=click.Choice(EXPORT_FORMATS), help="Deprecated: --file-format."
)
@click.option(
    "--serialization-format",
    type=click.Choice(("json", "uri")),
    help="With the env format: each connection as a URI (default) or a JSON object.",
)
def export_connections(
    file: Path, file_format: str | None, old_format: str | None, serialization_format: str | None
) -> None:
    """Write every connection (secrets included) to FILE (`-`: stdout) as JSON, YAML or env."""
    from tradewind.metastore.connections import list_connections as fetch_all

    filetype = _export_format(file, file_format, old_format)
    if serialization_format and filetype != "env":
        raise TradewindError(
            "--serialization-format may only be used with the env file format",
            hint="add --file-format env, or drop --serialization-format",
        )
    ctx = command_context()
    with ctx.metastore.session() as session:
        conns = sorted(fetch_all(session), key=lambda c: c.conn_id)
    text = _format_connections(conns, filetype, serialization_format or "uri")
    if str(file) == "-":
        click.echo(text, nl=False)
        click.echo(f"\n{len(conns)} connections successfully exported.", err=True)
        return
    file.write_text(text)
    click.echo(f"{len(conns)} connections successfully exported to {file}")


def _export_format(file: Path, file_format: str | None, old_format: str | None) -> str:
    """Airflow's rule: --file-format (or the deprecated --format), else FILE's extension
    (.json, .yaml, .env); stdout defaults to json."""
    if file_format and old_format:
        raise TradewindError(
            "--format is deprecated and cannot be combined with --file-format",
            hint="use --file-format alone",
        )
    if old_format:
        click.echo("Warning: --format is deprecated; use --file-format instead.", err=True)
    chosen = file_format or old_format
    if chosen:
        return chosen
    if str(file) == "-":
        return "json"
    suffix = file.suffix.lower()
    if suffix not in (".json", ".yaml", ".env"):
        raise TradewindError(
            f"cannot tell the format of {file} from its extension {suffix or '(none)'!r}",
            hint="name it .json, .yaml or .env, or give --file-format json|yaml|env",
        )
    return suffix[1:]


def _format_connections(conns: list[Connection], filetype: str, serialization: str) -> str:
    if filetype == "env":
        lines = [
            f"{c.conn_id}={json.dumps(_as_dict(c)) if serialization == 'json' else c.get_uri()}"
            for c in conns
        ]
        return "".join(line + "\n" for line in lines)
    data = {c.conn_id: _as_dict(c) for c in conns}
    if filetype == "yaml":
        import yaml

        return yaml.safe_dump(data, sort_keys=False)
    return json.dumps(data, indent=2) + "\n"


def _as_dict(conn: Connection) -> dict[str, Any]:
    item = conn.to_dict()
    item.pop("conn_id", None)
    return item


@connections.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--overwrite", is_flag=True, help="Replace connections that exist already.")
def import_connections(file: Path, overwrite: bool) -> None:
    """Add the connections of a JSON file {conn_id: {conn_type, host, ...} or "uri"}."""
    from tradewind.metastore.connections import add_connection as store
    from tradewind.metastore.connections import get_connection as fetch

    try:
        data = json.loads(file.read_text())
    except json.JSONDecodeError as exc:
        raise TradewindError(f"{file} is not valid JSON: {exc}") from None
    if not isinstance(data, dict):
        raise TradewindError(f"{file} must hold a JSON object of connections by conn_id")
    ctx = command_context()
    added = skipped = 0
    with ctx.metastore.session() as session:
        for conn_id, value in data.items():
            if isinstance(value, str):
                conn = Connection(conn_id=conn_id, uri=value)
            else:
                conn = Connection.from_json(json.dumps(value), conn_id=conn_id)
            if fetch(session, conn_id) is not None and not overwrite:
                click.echo(f"Could not import connection {conn_id}: connection already exists.")
                skipped += 1
                continue
            store(session, conn, replace=overwrite)
            added += 1
    click.echo(f"Imported {added} connection(s) from {file}, skipped {skipped}.")


@click.command("rotate-fernet-key")
def rotate_fernet_key() -> None:
    """Re-encrypt connections and variables with the first key of core.fernet_key."""
    from tradewind.metastore.secrets import rotate_secrets

    ctx = command_context()
    with ctx.metastore.session() as session:
        count = rotate_secrets(session, ctx.settings)
    click.echo(f"Re-encrypted {count} connection(s) and variable(s) with the new Fernet key.")


connections.add_command(rotate_fernet_key)
