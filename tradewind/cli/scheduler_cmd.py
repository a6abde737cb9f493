"""`tradewind scheduler`: run the scheduling loop until SIGTERM or Ctrl-C."""

from __future__ import annotations

import logging

import click

from tradewind.cli.context import command_context


def configure_logging(level: str) -> None:
    """Console logging for `scheduler` and `standalone`."""
    logging.basicConfig(
        level=getattr(logging, level.upper(), logging.INFO),
        format="[%(asctime)s] %(levelname)s %(name)s: %(message)s",
    )
    # connection chatter of the broker client and the migration tool is not the scheduler's news
    for noisy in ("pika", "alembic"):
        logging.getLogger(noisy).setLevel(logging.WARNING)
    # the console shows records at ``level`` and above, whichever logger they come from (a
    # task's INFO lines propagate from its own logger; they belong in its try log)
    for handler in logging.getLogger().handlers:
        handler.setLevel(getattr(logging, level.upper(), logging.INFO))


@click.command("scheduler")
@click.option(
    "-n", "--num-runs", type=int, default=-1, help="Stop after this many loops (-1: never)."
)
@click.option(
    "--executor",
    type=click.Choice(["sequential", "local", "broker"]),
    help="Override TRADEWIND__SCHEDULER__EXECUTOR.",
)
@click.option("--include-examples", is_flag=True, help="Also parse the repository's example DAGs.")
def scheduler(num_runs: int, executor: str | None, include_examples: bool) -> None:
    """Run the scheduler: parse DAGs, create runs, queue ready tasks on the executor."""
    from scheduler.main import build_scheduler, run_scheduler
    from tradewind.config.masking import mask_url

    ctx = command_context()
    configure_logging(ctx.settings.logging.level)
    sched = build_scheduler(
        ctx.settings, ctx.metastore, executor_name=executor, include_examples=include_examples
    )
    click.echo(
        f"Scheduler started: executor {executor or ctx.settings.scheduler.executor}, "
        f"DAGs in {ctx.settings.core.dags_folder}, metastore {mask_url(ctx.metastore.url)}"
    )
    run_scheduler(sched, num_runs=num_runs if num_runs > 0 else None)
    click.echo("Scheduler stopped.")
