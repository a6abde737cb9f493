"""`tradewind dags backfill DAG_ID -s START -e END`: run every interval in a range, here and now,
with a progress bar on a terminal and plain progress lines when the output is piped."""

from __future__ import annotations

import sys
import time
from typing import IO, Any

import click

from tradewind.cli.context import command_context
from tradewind.cli.dags_runs import parse_date_arg, require_dag
from tradewind.errors import TradewindError

BAR_WIDTH = 24


def _duration(seconds: float | None) -> str:
    if seconds is None:
        return "--:--"
    seconds = int(round(seconds))
    hours, rest = divmod(seconds, 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes:02d}:{secs:02d}"


def progress_text(p: Any) -> str:
    """``runs 3/10 | tasks 12/40 | elapsed 00:07 | ETA 00:16``."""
    failed = f" ({p.runs_failed} failed)" if p.runs_failed else ""
    return (
        f"runs {p.runs_done}/{p.runs_total}{failed} | tasks {p.tasks_done}/{p.tasks_total} | "
        f"elapsed {_duration(p.elapsed)} | ETA {_duration(p.eta)}"
    )


class ProgressPrinter:
    """A live, redrawn line on a terminal; otherwise a plain line whenever progress changes
    (at most one a second, and always the last one)."""

    def __init__(self, stream: IO[str] | None = None, *, tty: bool | None = None) -> None:
        self.stream = stream or sys.stdout
        self.tty = self.stream.isatty() if tty is None else tty
        self._last_key: tuple[int, int, int] | None = None
        self._last_print = 0.0

    def __call__(self, p: Any) -> None:
        key = (p.runs_done, p.tasks_done, p.tasks_total)
        if self.tty:
            fraction = p.tasks_done / p.tasks_total if p.tasks_total else 0.0
            filled = int(BAR_WIDTH * fraction)
            bar = "#" * filled + "-" * (BAR_WIDTH - filled)
            self.stream.write(f"\r\x1b[2K[{bar}] {fraction:4.0%} {progress_text(p)}")
            self.stream.flush()
            return
        now = time.monotonic()
        last = p.finished or p.deadlock is not None
        if key == self._last_key or (now - self._last_print < 1.0 and not last):
            return
        self._last_key, self._last_print = key, now
        self.stream.write(progress_text(p) + "\n")
        self.stream.flush()

    def close(self) -> None:
        if self.tty:
            self.stream.write("\n")
            self.stream.flush()


def _ensure_parsed(settings: Any, store: Any, dag_id: str) -> None:
    """A DAG no scheduler has parsed yet: parse the DAG folder once, as Airflow's backfill
    reads the DAG from its file."""
    from tradewind.metastore.models import DagModel

    with store.session() as session:
        dag = session.get(DagModel, dag_id)
        if dag is not None and dag.latest_version_id is not None:
            return
    from scheduler.dag_processor import DagProcessor

    DagProcessor(settings, store).process()


def _clear_subset(
    session: Any, dag_id: str, run_ids: list[str], task_ids: tuple[str, ...], everything: bool
) -> None:
    """--reset-dagruns / --rerun-failed-tasks with -t: only the subset's instances."""
    from tradewind.metastore.runs import clear_task_instances

    clear_task_instances(
        session, dag_id, run_ids=run_ids, task_ids=list(task_ids), only_failed=not everything
    )


def _report_marked(dag_id: str, run_ids: list[str], marked: int, unfinished: list[str]) -> None:
    if unfinished:
        raise TradewindError(
            f"marked {marked} task instance(s) success, but {len(unfinished)} run(s) still "
            f"have tasks queued or running: {', '.join(unfinished)}",
            hint=f"see `tradewind dags list-runs -d {dag_id}`",
        )
    click.echo(
        f"Backfill done: {len(run_ids)} run(s) of {dag_id}, {marked} task instance(s) marked "
        "success without running."
    )


@click.command("backfill")
@click.argument("dag_id")
@click.option("-s", "--start-date", required=True, help="First logical date (inclusive).")
@click.option("-e", "--end-date", required=True, help="Last logical date (inclusive).")
@click.option("--reset-dagruns", is_flag=True, help="Clear existing runs in the range first.")
@click.option("--rerun-failed-tasks", is_flag=True, help="Run failed tasks of existing runs again.")
@click.option("--dry-run", is_flag=True, help="Only print the runs a backfill would make.")
@click.option("-y", "--yes", is_flag=True, help="Do not ask before resetting runs.")
@click.option("-c", "--conf", help="JSON object set as the conf of every backfilled run.")
@click.option("-t", "--task-regex", help="Only the tasks matching this regex (and upstream).")
@click.option(
    "-i", "--ignore-dependencies", is_flag=True, help="With -t: leave upstream tasks out."
)
@click.option("-m", "--mark-success", is_flag=True, help="Mark tasks success without running.")
def backfill(
    dag_id: str,
    start_date: str,
    end_date: str,
    reset_dagruns: bool,
    rerun_failed_tasks: bool,
    dry_run: bool,
    yes: bool,
    conf: str | None,
    task_regex: str | None,
    ignore_dependencies: bool,
    mark_success: bool,
) -> None:
    """Create runs for every interval from START to END and run them to completion here."""
    from scheduler.backfill import plan_backfill, prepare_runs, run_backfill
    from tradewind.cli.dags_backfill_subset import subset_spec, subset_task_ids
    from tradewind.cli.dags_runs import parse_conf
    from tradewind.core.params import validate_params
    from tradewind.core.spec import DagSpec
    from tradewind.metastore.dag_specs import latest_version
    from tradewind.metastore.engine import Metastore

    if ignore_dependencies and not task_regex:
        raise TradewindError(
            "-i/--ignore-dependencies only works with -t/--task-regex",
            hint="add -t REGEX, or drop -i",
        )
    conf_dict = parse_conf(conf)
    ctx = command_context()
    tz = ctx.settings.core.default_timezone
    start = parse_date_arg(start_date, "start date", tz)
    end = parse_date_arg(end_date, "end date", tz)
    assert start is not None and end is not None
    store: Metastore = ctx.metastore
    _ensure_parsed(ctx.settings, store, dag_id)
    with store.session() as session:
        require_dag(session, dag_id)
        version = latest_version(session, dag_id)
        spec = DagSpec.from_json(version.spec_json)
        if conf_dict is not None:  # as `dags trigger --conf`: checked against the params
            validate_params(spec.params, conf_dict)
        planned = plan_backfill(session, spec, start, end)
    task_ids: set[str] | None = None
    run_spec = spec
    if task_regex:
        task_ids = subset_task_ids(spec, task_regex, include_upstream=not ignore_dependencies)
        run_spec = subset_spec(spec, task_ids)
    if not planned:
        raise TradewindError(
            f"no interval of DAG {dag_id!r} starts between {start.isoformat()} and "
            f"{end.isoformat()}",
            hint=f"its schedule is {spec.schedule.description}; widen the range",
        )
    if dry_run:
        for item in planned:
            what = f"existing run {item.run_id} ({item.run_state})" if item.run_id else "new run"
            click.echo(f"{item.logical_date.isoformat()}  {what}")
        if task_ids is not None:
            click.echo(f"Tasks: {', '.join(run_spec.task_ids)}")
        click.echo(f"Dry run: {len(planned)} run(s); nothing was changed.")
        return
    if task_ids is not None and not mark_success:
        raise TradewindError(
            "running only some tasks of the backfilled runs (-t without -m) is not supported "
            "yet: the backfill's scheduler loop would run every task of the DAG",
            hint="add -m to mark the matching tasks success, or backfill without -t",
        )
    existing = [p.run_id for p in planned if p.run_id]
    if reset_dagruns and existing and not yes:
        click.confirm(f"Clear {len(existing)} existing run(s) of {dag_id} first?", abort=True)
    with store.session() as session:
        run_ids = prepare_runs(
            session,
            run_spec,  # a subset: new runs get instances of those tasks only, as in Airflow
            version.id,
            planned,
            reset_dagruns=reset_dagruns and task_ids is None,
            rerun_failed_tasks=rerun_failed_tasks and task_ids is None,
        )
        if task_ids is not None and existing and (reset_dagruns or rerun_failed_tasks):
            _clear_subset(session, dag_id, existing, run_spec.task_ids, reset_dagruns)
        if conf_dict is not None:
            from tradewind.cli.dags_backfill_subset import set_conf

            set_conf(session, dag_id, run_ids, conf_dict)
        if mark_success:
            from tradewind.cli.dags_backfill_subset import add_missing_instances
            from tradewind.cli.dags_backfill_subset import mark_success as mark

            add_missing_instances(session, run_spec, run_ids, version.id)

            marked, unfinished = mark(session, run_spec, run_ids)
    if mark_success:
        _report_marked(dag_id, run_ids, marked, unfinished)
        return
    click.echo(
        f"Backfilling {dag_id}: {len(run_ids)} run(s) from "
        f"{planned[0].logical_date.isoformat()} to {planned[-1].logical_date.isoformat()}"
    )
    printer = ProgressPrinter()
    try:
        progress = run_backfill(ctx.settings, store, dag_id, run_ids, on_progress=printer)
    finally:
        printer.close()
    if progress.deadlock is not None:
        raise TradewindError(
            progress.deadlock.message(),
            hint="the runs keep their states; clear the failures that block them "
            f"(`tradewind tasks clear {dag_id} --only-failed`) or backfill again with "
            "--rerun-failed-tasks",
        )
    if progress.runs_failed:
        raise TradewindError(
            f"backfill finished with {progress.runs_failed} failed run(s) of {len(run_ids)}",
            hint=f"see `tradewind dags list-runs -d {dag_id} --state failed`; rerun them with "
            "--rerun-failed-tasks",
        )
    click.echo(f"Backfill done: {len(run_ids)} run(s) succeeded in {_duration(progress.elapsed)}.")
