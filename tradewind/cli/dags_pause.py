"""`tradewind dags pause|unpause DAG_ID [--treat-dag-id-as-regex] [-y]`, as Airflow's."""

from __future__ import annotations

import re
from typing import Any

import click

from tradewind.cli.context import command_context
from tradewind.cli.dags_runs import require_dag
from tradewind.cli.output import output_option, print_rows
from tradewind.errors import TradewindError


def _matching(session: Any, pattern: str) -> list[Any]:
    """The DAGs whose id matches ``pattern`` (searched, as Airflow's ``regexp_match``)."""
    from sqlalchemy import select

    from tradewind.metastore.models import DagModel

    try:
        regex = re.compile(pattern)
    except re.error as exc:
        raise TradewindError(
            f"{pattern!r} is not a valid regular expression: {exc}",
            hint="quote it for the shell, e.g. --treat-dag-id-as-regex '^etl_'",
        ) from None
    dags = session.execute(select(DagModel).order_by(DagModel.dag_id)).scalars()
    matched = [dag for dag in dags if regex.search(dag.dag_id)]
    if not matched:
        raise TradewindError(
            f"no DAG id matches the regex {pattern!r}",
            hint="run `tradewind dags list` to see the DAGs that are known",
        )
    return matched


def set_paused(dag_id: str, paused: bool, *, as_regex: bool, yes: bool, output: str) -> None:
    """Pause (or unpause) one DAG or, with ``as_regex``, every DAG whose id matches and is not
    paused (unpaused) yet, after a confirmation unless ``yes``."""
    from scheduler.dagruns import refresh_next_dagrun
    from tradewind.metastore.dag_specs import latest_spec
    from tradewind.metastore.models import utcnow
    from tradewind.metastore.wakeup import notify_scheduler

    verb = "pause" if paused else "unpause"
    ctx = command_context()
    with ctx.metastore.session() as session:
        if not as_regex:
            dags = [require_dag(session, dag_id)]
        else:
            dags = [d for d in _matching(session, dag_id) if bool(d.is_paused) != paused]
            if not dags:
                click.echo(f"No {'un' if paused else ''}paused DAGs were found")
                return
            if not yes:
                ids = ", ".join(d.dag_id for d in dags)
                question = f"You are about to {verb} {len(dags)} DAG(s): {ids}\nAre you sure?"
                if not click.confirm(question):
                    click.echo("Operation cancelled by user")
                    return
        rows = []
        for dag in dags:
            dag.is_paused = paused
            if not paused and dag.latest_version_id is not None:
                refresh_next_dagrun(session, dag, latest_spec(session, dag.dag_id), now=utcnow())
            rows.append({"dag_id": dag.dag_id, "is_paused": paused})
        if not paused:
            notify_scheduler(session)
    print_rows(rows, output)


_REGEX_HELP = "Treat DAG_ID as a regular expression: apply to every DAG whose id matches."


@click.command("pause")
@click.argument("dag_id")
@click.option("--treat-dag-id-as-regex", "as_regex", is_flag=True, help=_REGEX_HELP)
@click.option("-y", "--yes", is_flag=True, help="Do not ask for confirmation.")
@output_option
def pause(dag_id: str, as_regex: bool, yes: bool, output: str) -> None:
    """Pause a DAG: no new runs, no new tasks of its runs."""
    set_paused(dag_id, True, as_regex=as_regex, yes=yes, output=output)


@click.command("unpause")
@click.argument("dag_id")
@click.option("--treat-dag-id-as-regex", "as_regex", is_flag=True, help=_REGEX_HELP)
@click.option("-y", "--yes", is_flag=True, help="Do not ask for confirmation.")
@output_option
def unpause(dag_id: str, as_regex: bool, yes: bool, output: str) -> None:
    """Resume a DAG."""
    set_paused(dag_id, False, as_regex=as_regex, yes=yes, output=output)
