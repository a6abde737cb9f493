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


@click.command("backfill")
@click.argument("dag_id")
@click.option("-s", "--start-date", required=True, help="First logical date (inclusive).")
@click.option("-e", "--end-date", required=True, help="Last logical date (inclusive).")
@click.option("--reset-dagruns", is_flag=True, help="Clear existing runs in the range first.")
@click.option("--rerun-failed-tasks", is_flag=True, help="Run failed tasks of existing runs again.")
@click.option("--dry-run", is_flag=True, help="Only print the runs a backfill would make.")
@click.option("-y", "--yes", is_flag=True, help="Do not ask before resetting runs.")
def backfill(
    dag_id: str,
    start_date: str,
    end_date: str,
    reset_dagruns: bool,
    rerun_failed_tasks: bool,
    dry_run: bool,
    yes: bool,
) -> None:
    """Create runs for every interval from START to END and run them to completion here."""
    from scheduler.backfill import plan_backfill, prepare_runs, run_backfill
    from tradewind.core.spec import DagSpec
    from tradewind.metastore.dag_specs import latest_version
    from tradewind.metastore.engine import Metastore

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
        planned = plan_backfill(session, spec, start, end)
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
        click.echo(f"Dry run: {len(planned)} run(s); nothing was changed.")
        return
    existing = [p for p in planned if p.run_id]
    if reset_dagruns and existing and not yes:
        click.confirm(f"Clear {len(existing)} existing run(s) of {dag_id} first?", abort=True)
    with store.session() as session:
        run_ids = prepare_runs(
            session,
            spec,
            version.id,
            planned,
            reset_dagruns=reset_dagruns,
            rerun_failed_tasks=rerun_failed_tasks,
        )
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
