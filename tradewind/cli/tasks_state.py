"""`tradewind tasks clear|states-for-dag-run|state`."""

from __future__ import annotations

from typing import Any

import click

from tradewind.cli.context import command_context
from tradewind.cli.dags_runs import parse_date_arg, require_dag
from tradewind.cli.output import output_option, print_rows
from tradewind.errors import DagRunNotFound, TaskNotFound, TradewindError


@click.command("clear")
@click.argument("dag_id")
@click.option("-t", "--task-regex", help="Only tasks whose id matches this regular expression.")
@click.option("-s", "--start-date", help="Only runs with a logical date at or after this.")
@click.option("-e", "--end-date", help="Only runs with a logical date at or before this.")
@click.option("-f", "--only-failed", is_flag=True, help="Only failed task instances.")
@click.option("-r", "--only-running", is_flag=True, help="Only running task instances.")
@click.option("-d", "--downstream", is_flag=True, help="Add the tasks' downstream tasks.")
@click.option("-u", "--upstream", is_flag=True, help="Add the tasks' upstream tasks.")
@click.option(
    "-x",
    "--exclude-subdags",
    is_flag=True,
    help="Do not follow ExternalTaskMarkers into other DAGs.",
)
@click.option("-y", "--yes", is_flag=True, help="Do not ask for confirmation.")
def clear(
    dag_id: str,
    task_regex: str | None,
    start_date: str | None,
    end_date: str | None,
    only_failed: bool,
    only_running: bool,
    downstream: bool,
    upstream: bool,
    exclude_subdags: bool,
    yes: bool,
) -> None:
    """Clear task instances so the scheduler runs them again (with their retries back).

    A cleared ExternalTaskMarker also clears its external task and that task's downstream in
    the other DAG's run at the marker's logical date, recursively, unless ``-x`` is given."""
    from tradewind.metastore.runs import clear_task_instances
    from tradewind.metastore.wakeup import notify_scheduler

    ctx = command_context()
    tz = ctx.settings.core.default_timezone
    start = parse_date_arg(start_date, "start date", tz)
    end = parse_date_arg(end_date, "end date", tz)
    kwargs: dict[str, Any] = {
        "task_regex": task_regex,
        "start_date": start,
        "end_date": end,
        "only_failed": only_failed,
        "only_running": only_running,
        "downstream": downstream,
        "upstream": upstream,
        "recursive": not exclude_subdags,
    }
    with ctx.metastore.session() as session:
        require_dag(session, dag_id)
        keys = clear_task_instances(session, dag_id, dry_run=True, **kwargs)
    if not keys:
        click.echo("No task instances to clear.")
        return
    if not yes:
        click.echo(f"You are about to clear these {len(keys)} task instance(s):")
        for key in keys:
            click.echo(f"  {key}")
        click.confirm("Are you sure?", abort=True)
    with ctx.metastore.session() as session:
        cleared = clear_task_instances(session, dag_id, **kwargs)
        notify_scheduler(session)
    click.echo(f"Cleared {len(cleared)} task instance(s).")


def _find_run(session: Any, dag_id: str, run_ref: str, tz: str) -> Any:
    from sqlalchemy import or_, select

    from tradewind.metastore.models import DagRun

    cond = DagRun.run_id == run_ref
    try:
        cond = or_(cond, DagRun.logical_date == parse_date_arg(run_ref, "logical date", tz))
    except TradewindError:
        pass
    run = session.execute(select(DagRun).where(DagRun.dag_id == dag_id, cond)).scalars().first()
    if run is None:
        raise DagRunNotFound(
            f"DAG {dag_id!r} has no run {run_ref!r}",
            hint=f"run `tradewind dags list-runs -d {dag_id}` to see its runs",
        )
    return run


@click.command("states-for-dag-run")
@click.argument("dag_id")
@click.argument("run_id")
@output_option
def states_for_dag_run(dag_id: str, run_id: str, output: str) -> None:
    """The state of every task instance of one run."""
    from sqlalchemy import select

    from tradewind.metastore.models import TaskInstance

    ctx = command_context()
    with ctx.metastore.session() as session:
        require_dag(session, dag_id)
        run = _find_run(session, dag_id, run_id, ctx.settings.core.default_timezone)
        tis = session.execute(
            select(TaskInstance)
            .where(TaskInstance.dag_id == dag_id, TaskInstance.run_id == run.run_id)
            .order_by(TaskInstance.task_id, TaskInstance.map_index)
        ).scalars()
        rows = [
            {
                "dag_id": ti.dag_id,
                "logical_date": run.logical_date,
                "task_id": ti.task_id,
                "map_index": ti.map_index,
                "state": ti.state,
                "try_number": ti.try_number,
                "start_date": ti.start_date,
                "end_date": ti.end_date,
            }
            for ti in tis
        ]
    print_rows(rows, output)


@click.command("state")
@click.argument("dag_id")
@click.argument("task_id")
@click.argument("logical_date_or_run_id")
@click.option("-m", "--map-index", default=-1, show_default=True, help="Mapped task index.")
def task_state(dag_id: str, task_id: str, logical_date_or_run_id: str, map_index: int) -> None:
    """Print the state of one task instance."""
    from sqlalchemy import select

    from tradewind.metastore.models import TaskInstance

    ctx = command_context()
    with ctx.metastore.session() as session:
        require_dag(session, dag_id)
        run = _find_run(session, dag_id, logical_date_or_run_id, ctx.settings.core.default_timezone)
        state = session.execute(
            select(TaskInstance.state).where(
                TaskInstance.dag_id == dag_id,
                TaskInstance.run_id == run.run_id,
                TaskInstance.task_id == task_id,
                TaskInstance.map_index == map_index,
            )
        ).scalar_one_or_none()
    if state is None:
        raise TaskNotFound(f"run {run.run_id!r} of DAG {dag_id!r} has no task {task_id!r}")
    click.echo(state)
