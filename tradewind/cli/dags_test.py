"""`tradewind dags test DAG_ID [LOGICAL_DATE]`: run one DAG run in this process."""

from __future__ import annotations

import json
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import click

from tradewind.cli.output import print_rows
from tradewind.errors import DagNotFound, TradewindError

COLUMNS = ("task_id", "map_index", "state", "try_number", "duration")


def parse_logical_date(text: str | None, default_timezone: str = "UTC") -> datetime | None:
    """An ISO date or datetime; naive values are in the configured default time zone."""
    if not text:
        return None
    from zoneinfo import ZoneInfo

    try:
        value = datetime.fromisoformat(text.strip().replace("Z", "+00:00"))
    except ValueError:
        raise TradewindError(
            f"invalid logical date {text!r}",
            hint="use an ISO-8601 date such as 2024-01-01 or 2024-01-01T06:00:00+00:00",
        ) from None
    if value.tzinfo is None:
        try:
            zone: Any = ZoneInfo(default_timezone)
        except Exception:
            zone = UTC
        value = value.replace(tzinfo=zone)
    return value


def parse_conf(text: str | None) -> dict[str, Any] | None:
    from tradewind.cli.dags_runs import parse_json_object

    return parse_json_object(text, "--conf", "-c") if text else None


def load_dag(settings: Any, dag_id: str, subdir: str | None = None) -> Any:
    """Parse the DAG folder (or ``subdir``) and return the DAG; DagNotFound names what failed."""
    from tradewind.parsing.dagbag import DagBag

    folder = subdir or settings.core.dags_folder
    bag = DagBag(folder, import_timeout=settings.core.dagbag_import_timeout)
    dag = bag.get_dag(dag_id)
    if dag is not None:
        return dag
    if bag.import_errors:
        # the file that names the DAG is most likely the one that defines it
        path, message = min(
            bag.import_errors.items(), key=lambda item: (not _mentions(item[0], dag_id), item[0])
        )
        first = next((line for line in message.strip().splitlines() if line.strip()), message)
        more = len(bag.import_errors) - 1
        extra = f" (and {more} more file{'s' if more != 1 else ''})" if more > 0 else ""
        raise DagNotFound(
            f"DAG {dag_id!r} not found in {folder}; {path} failed to import: {first.strip()}"
            f"{extra}",
            hint="fix the file; `tradewind dags list-import-errors` lists every failure",
        )
    raise DagNotFound(f"DAG {dag_id!r} not found in {folder}")


def _mentions(path: str, text: str) -> bool:
    try:
        return text in Path(path).read_text(encoding="utf-8", errors="replace")
    except OSError:
        return False


@click.command("test")
@click.argument("dag_id")
@click.argument("logical_date", required=False)
@click.option("-c", "--conf", "conf_json", help="JSON object passed as the run's conf.")
@click.option("-S", "--subdir", help="Folder or file to parse instead of the DAG folder.")
@click.option("--run-id", help="Run id (default: manual__<logical date>).")
@click.option("-v", "--verbose", is_flag=True, help="Print every task's log to stderr.")
@click.option(
    "-o",
    "--output",
    type=click.Choice(["table", "json", "yaml", "plain"]),
    default="table",
    show_default=True,
    help="Output format.",
)
def test_dag(
    dag_id: str,
    logical_date: str | None,
    conf_json: str | None,
    subdir: str | None,
    run_id: str | None,
    verbose: bool,
    output: str,
) -> None:
    """Run one DAG run in-process, in dependency order, and print every task's outcome.

    Exits with status 1 when the run fails.
    """
    from tradewind.cli.context import command_context
    from tradewind.runtime.dag_test import run_dag_test

    ctx = command_context()
    settings = ctx.settings
    when = parse_logical_date(logical_date, settings.core.default_timezone)
    conf = parse_conf(conf_json)
    dag = load_dag(settings, dag_id, subdir)
    result = run_dag_test(
        dag,
        logical_date=when,
        conf=conf,
        run_id=run_id,
        metastore=ctx.metastore,
        settings=settings,
        echo=sys.stderr if verbose else None,
    )
    if output == "json":
        click.echo(json.dumps(result.to_dict(), indent=2))
    else:
        rows = [result.to_dict()["tasks"][i] for i in range(len(result.tasks))]
        print_rows(rows, output, COLUMNS)
        if output == "table":
            click.echo(f"\nDAG run {result.run_id} of {result.dag_id}: {result.state}")
    if result.failed:
        click.get_current_context().exit(1)
