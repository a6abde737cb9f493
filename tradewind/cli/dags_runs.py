"""`tradewind dags trigger|list-runs|pause|unpause|next-execution|state|delete`."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo

import click

from tradewind.cli.context import command_context
from tradewind.cli.output import output_option, print_rows
from tradewind.errors import DagNotFound, DagRunNotFound, TradewindError

RUN_COLUMNS = ("dag_id", "run_id", "state", "run_type", "logical_date", "start_date", "end_date")


def parse_date_arg(value: str | None, what: str, default_timezone: str = "UTC") -> datetime | None:
    """An ISO date or datetime from the command line; naive ones are in the default time zone."""
    if value is None:
        return None
    text = value.strip()
    try:
        parsed = datetime.fromisoformat(text.replace("Z", "+00:00") if text.endswith("Z") else text)
    except ValueError:
        raise TradewindError(
            f"{what} {value!r} is not a date",
            hint="give an ISO-8601 date or datetime, e.g. 2024-01-01 or 2024-01-01T06:00:00+00:00",
        ) from None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=ZoneInfo(default_timezone))
    return parsed.astimezone(UTC)


def parse_conf(value: str | None) -> dict[str, Any] | None:
    if value is None:
        return None
    return parse_json_object(value, "--conf", "-c")


def parse_json_object(text: str, option: str, flag: str) -> dict[str, Any]:
    """The JSON object an option was given; one clear error naming ``option`` otherwise."""
    example = f'e.g. {flag} \'{{"key": "value"}}\''
    try:
        parsed = json.loads(text)
    except json.JSONDecodeError as exc:
        raise TradewindError(
            f"{option} is not valid JSON: {exc.msg} (at character {exc.pos})",
            hint=f"give a JSON object, {example}",
        ) from None
    if not isinstance(parsed, dict):
        raise TradewindError(
            f"{option} must be a JSON object, not {type(parsed).__name__}", hint=example
        )
    return parsed


def run_row(run: Any) -> dict[str, Any]:
    return {
        "dag_id": run.dag_id,
        "run_id": run.run_id,
        "state": run.state,
        "run_type": run.run_type,
        "logical_date": run.logical_date,
        "start_date": run.start_date,
        "end_date": run.end_date,
        "conf": run.conf or {},
    }


def require_dag(session: Any, dag_id: str) -> Any:
    from tradewind.metastore.models import DagModel

    dag = session.get(DagModel, dag_id)
    if dag is None:
        raise DagNotFound(f"DAG {dag_id!r} not found")
    return dag


@click.command("trigger")
@click.argument("dag_id")
@click.option("-e", "--exec-date", "--logical-date", "logical_date", help="Logical date.")
@click.option("-c", "--conf", help="JSON object passed to the run as dag_run.conf.")
@click.option("-r", "--run-id", help="Id of the run (default: manual__<logical date>).")
@output_option
def trigger(
    dag_id: str, logical_date: str | None, conf: str | None, run_id: str | None, output: str
) -> None:
    """Create a manual run of DAG_ID; the scheduler picks it up at once."""
    ctx = command_context()
    when = parse_date_arg(logical_date, "logical date", ctx.settings.core.default_timezone)
    conf_dict = parse_conf(conf)
    from tradewind.metastore.runs import trigger_dag
    from tradewind.metastore.wakeup import notify_scheduler

    with ctx.metastore.session() as session:
        run = trigger_dag(
            session, dag_id, logical_date=when, run_id=run_id, conf=conf_dict, triggered_by="cli"
        )
        notify_scheduler(session)
        row = run_row(run)
    print_rows([row], output, (*RUN_COLUMNS[:5], "conf"))


@click.command("list-runs")
@click.option("-d", "--dag-id", required=True, help="The DAG whose runs to list.")
@click.option(
    "--state", type=click.Choice(["queued", "running", "success", "failed"]), help="Only these."
)
@click.option("--no-backfill", is_flag=True, help="Leave backfill runs out.")
@click.option("-s", "--start-date", help="Only runs with a logical date at or after this.")
@click.option("-e", "--end-date", help="Only runs with a logical date at or before this.")
@output_option
def list_runs(
    dag_id: str,
    state: str | None,
    no_backfill: bool,
    start_date: str | None,
    end_date: str | None,
    output: str,
) -> None:
    """List the runs of a DAG, newest first."""
    from sqlalchemy import select

    from tradewind.metastore.models import DagRun

    ctx = command_context()
    tz = ctx.settings.core.default_timezone
    start = parse_date_arg(start_date, "start date", tz)
    end = parse_date_arg(end_date, "end date", tz)
    with ctx.metastore.session() as session:
        require_dag(session, dag_id)
        stmt = select(DagRun).where(DagRun.dag_id == dag_id)
        if state:
            stmt = stmt.where(DagRun.state == state)
        if no_backfill:
            stmt = stmt.where(DagRun.run_type != "backfill")
        if start:
            stmt = stmt.where(DagRun.logical_date >= start)
        if end:
            stmt = stmt.where(DagRun.logical_date <= end)
        rows = [
            run_row(r) for r in session.execute(stmt.order_by(DagRun.logical_date.desc())).scalars()
        ]
    print_rows(rows, output, RUN_COLUMNS)


@click.command("next-execution")
@click.argument("dag_id")
@click.option("-n", "--num-executions", default=1, show_default=True, help="How many to show.")
def next_execution(dag_id: str, num_executions: int) -> None:
    """Print the logical dates of the DAG's next scheduled runs ("None" when it has none)."""
    from scheduler.dagruns import next_run_info
    from tradewind.metastore.dag_specs import latest_spec
    from tradewind.metastore.models import utcnow

    ctx = command_context()
    with ctx.metastore.session() as session:
        dag = require_dag(session, dag_id)
        spec = latest_spec(session, dag_id)
        if dag.is_paused:
            click.echo("[INFO] Please be reminded this DAG is PAUSED now.", err=True)
        info = next_run_info(session, spec, now=utcnow())
        for _ in range(max(1, num_executions)):
            if info is None:
                click.echo("None")
                return
            click.echo(info.logical_date.isoformat())
            info = next_run_info(session, spec, now=utcnow(), last=info.data_interval)


@click.command("state")
@click.argument("dag_id")
@click.argument("logical_date")
def dag_state(dag_id: str, logical_date: str) -> None:
    """Print the state of the DAG's run at LOGICAL_DATE (or with that run id)."""
    from sqlalchemy import or_, select

    from tradewind.metastore.models import DagRun

    ctx = command_context()
    with ctx.metastore.session() as session:
        require_dag(session, dag_id)
        cond = DagRun.run_id == logical_date
        try:
            when = parse_date_arg(logical_date, "logical date", ctx.settings.core.default_timezone)
            cond = or_(cond, DagRun.logical_date == when)
        except TradewindError:
            pass
        run = session.execute(select(DagRun).where(DagRun.dag_id == dag_id, cond)).scalars().first()
        if run is None:
            raise DagRunNotFound(
                f"DAG {dag_id!r} has no run at {logical_date}",
                hint=f"run `tradewind dags list-runs -d {dag_id}` to see its runs",
            )
        click.echo(f"{run.state}, {json.dumps(run.conf)}" if run.conf else run.state)


@click.command("delete")
@click.argument("dag_id")
@click.option("-y", "--yes", is_flag=True, help="Do not ask for confirmation.")
def delete_dag(dag_id: str, yes: bool) -> None:
    """Delete every record of a DAG (its file, if still there, brings it back on the next parse)."""
    from tradewind.metastore.runs import delete_dag as delete

    ctx = command_context()
    with ctx.metastore.session() as session:
        require_dag(session, dag_id)
    if not yes:
        click.confirm(
            "This will drop all existing records related to the specified DAG. Proceed?",
            abort=True,
        )
    with ctx.metastore.session() as session:
        count = delete(session, dag_id)
    click.echo(f"Removed {count} record(s) of DAG {dag_id}.")
