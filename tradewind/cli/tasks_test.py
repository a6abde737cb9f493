"""`tradewind tasks test DAG_ID TASK_ID [DATE]` and `tasks render DAG_ID TASK_ID [DATE]`."""

from __future__ import annotations

import os
import socket
import sys
from datetime import UTC, datetime
from typing import Any

import click

from tradewind.cli.dags_test import load_dag, parse_logical_date
from tradewind.core.keys import TaskInstanceKey
from tradewind.core.states import TaskState
from tradewind.errors import TaskNotFound, TradewindError
from tradewind.runtime.echo import echo_stream

TEMP_RUN_PREFIX = "__tradewind_temporary_run_"


def _get_task(dag: Any, task_id: str) -> Any:
    task = getattr(dag, "task_dict", {}).get(task_id)
    if task is None:
        raise TaskNotFound(
            f"task {task_id!r} is not in DAG {dag.dag_id!r}",
            hint=f"run `tradewind tasks list {dag.dag_id}` to see its tasks",
        )
    return task


@click.command("test")
@click.argument("dag_id")
@click.argument("task_id")
@click.argument("logical_date", required=False)
@click.option("-m", "--map-index", type=int, default=-1, show_default=True)
@click.option("-S", "--subdir", help="Folder or file to parse instead of the DAG folder.")
@click.option(
    "-t", "--task-params", help="JSON object of params for the task, over the DAG's params."
)
def test_task(
    dag_id: str,
    task_id: str,
    logical_date: str | None,
    map_index: int,
    subdir: str | None,
    task_params: str | None,
) -> None:
    """Run one task instance now, ignoring its dependencies, and print its log.

    The try is recorded in the DAG's run at that logical date when there is one; otherwise a
    temporary run is used and deleted afterwards, as Airflow does. Exits 1 unless the task
    succeeds or is skipped.
    """
    from tradewind.cli.context import command_context
    from tradewind.runtime.run_try import run_try

    ctx = command_context()
    settings = ctx.settings
    when = parse_logical_date(logical_date, settings.core.default_timezone) or datetime.now(UTC)
    dag = load_dag(settings, dag_id, subdir)
    task = _get_task(dag, task_id)
    if task_params is not None:
        _apply_task_params(task, task_params)
    metastore = ctx.metastore
    run_id, temporary = _find_or_create_run(metastore, dag, settings, when)
    try:
        key = TaskInstanceKey(dag_id, run_id, task_id, map_index)
        hostname = settings.core.hostname or socket.getfqdn()
        try_key = _make_running(metastore, key, hostname)
        state = run_try(
            metastore,
            task,
            try_key,
            settings=settings,
            hostname=hostname,
            test_mode=True,
            echo=echo_stream(sys.stdout),
        )
    finally:
        if temporary:
            from tradewind.metastore.runs import delete_dag_runs

            with metastore.session() as session:
                delete_dag_runs(session, dag_id, [run_id])
    click.echo(f"Task {task_id} finished: {state}")
    if state not in (TaskState.SUCCESS, TaskState.SKIPPED):
        click.get_current_context().exit(1)


def _apply_task_params(task: Any, text: str) -> None:
    """Airflow's ``tasks test -t``: the JSON object's entries update the task's params (which
    start from the DAG's), each checked against its Param's schema."""
    from tradewind.cli.dags_runs import parse_json_object

    passed = parse_json_object(text, "--task-params", "-t")
    task.params.update(passed)
    for name in passed:
        task.params.get_param(name).resolve(name=name)


def _find_or_create_run(
    metastore: Any, dag: Any, settings: Any, when: datetime
) -> tuple[str, bool]:
    from sqlalchemy import select

    from tradewind.core.schedules import infer_manual_data_interval
    from tradewind.metastore.dag_rows import ParsedDag, upsert_dag
    from tradewind.metastore.dag_sync import serialize
    from tradewind.metastore.models import DagModel, DagRun
    from tradewind.metastore.runs import create_dagrun

    spec = serialize(dag, default_timezone=settings.core.default_timezone)
    with metastore.session() as session:
        existing = session.execute(
            select(DagRun.run_id).where(DagRun.dag_id == dag.dag_id, DagRun.logical_date == when)
        ).scalar()
        if existing is not None:
            return existing, False
        upsert_dag(
            session,
            ParsedDag(spec, _read(spec.fileloc)),
            paused_at_creation=settings.core.dags_are_paused_at_creation,
            now=datetime.now(UTC),
        )
        model = session.get(DagModel, dag.dag_id)
        interval = infer_manual_data_interval(spec, when)
        run = create_dagrun(
            session,
            spec,
            logical_date=when,
            data_interval=(interval[0], interval[1]),
            run_id=f"{TEMP_RUN_PREFIX}{when.isoformat()}__",
            run_type="manual",
            state="running",
            dag_version_id=model.latest_version_id if model else None,
            triggered_by="test",
        )
        return run.run_id, True


def _read(path: str) -> str:
    try:
        with open(path, encoding="utf-8") as handle:
            return handle.read()
    except OSError:
        return ""


def _make_running(metastore: Any, key: TaskInstanceKey, hostname: str) -> Any:
    """Walk the instance through the allowed moves to ``running`` with a new try number."""
    from sqlalchemy import select

    from tradewind.metastore.models import TaskInstance
    from tradewind.metastore.transitions import set_task_state
    from tradewind.runtime.claim import claim_try

    s = TaskState
    with metastore.session() as session:
        row = session.execute(
            select(TaskInstance.state, TaskInstance.try_number, TaskInstance.max_tries).where(
                TaskInstance.dag_id == key.dag_id,
                TaskInstance.run_id == key.run_id,
                TaskInstance.task_id == key.task_id,
                TaskInstance.map_index == key.map_index,
            )
        ).first()
        if row is None:
            raise TradewindError(
                f"no task instance {key}",
                hint="mapped tasks need --map-index with an index that exists in the run",
            )
        state, try_number = s(row.state), row.try_number
        if state in (s.RUNNING, s.QUEUED):
            raise TradewindError(f"{key} is {state.value} right now; not running it twice")
        if state not in (s.NONE, s.SCHEDULED, s.UP_FOR_RETRY, s.UP_FOR_RESCHEDULE):
            set_task_state(session, key, s.NONE, expected=[state])
            state = s.NONE
        if state != s.SCHEDULED:
            try_number += 1
            set_task_state(
                session,
                key,
                s.SCHEDULED,
                expected=[state],
                try_number=row.try_number,
                increment_try=True,
            )
        set_task_state(session, key, s.QUEUED, expected=[s.SCHEDULED], queued_at=datetime.now(UTC))
        try_key = key.with_try(try_number)
        if not claim_try(session, try_key, hostname=hostname, pid=os.getpid()):
            raise TradewindError(f"could not claim {try_key}; another process has it")
    return try_key


@click.command("render")
@click.argument("dag_id")
@click.argument("task_id")
@click.argument("logical_date", required=False)
@click.option("-m", "--map-index", type=int, default=-1, show_default=True)
@click.option("-S", "--subdir", help="Folder or file to parse instead of the DAG folder.")
def render(
    dag_id: str, task_id: str, logical_date: str | None, map_index: int, subdir: str | None
) -> None:
    """Print a task's template fields rendered for a logical date."""
    from types import SimpleNamespace

    from tradewind.cli.context import command_context
    from tradewind.core.keys import TryKey
    from tradewind.core.schedules import infer_manual_data_interval
    from tradewind.metastore.dag_sync import serialize
    from tradewind.runtime.context import build_context
    from tradewind.runtime.task_instance import RuntimeTaskInstance
    from tradewind.templating.render import render_template_fields

    ctx = command_context()
    settings = ctx.settings
    dag = load_dag(settings, dag_id, subdir)
    task = _get_task(dag, task_id)
    dag_run: Any = _stored_run(ctx.metastore, dag_id, logical_date, settings)
    if dag_run is not None:  # as Airflow: an existing run's conf, interval and run id
        when, run_id = dag_run.logical_date, dag_run.run_id
    else:  # an in-memory run, as Airflow makes one
        when = parse_logical_date(logical_date, settings.core.default_timezone)
        when = when or datetime.now(UTC)
        spec = serialize(dag, default_timezone=settings.core.default_timezone)
        interval = infer_manual_data_interval(spec, when)
        run_id = f"manual__{when.isoformat()}"
        dag_run = SimpleNamespace(
            dag_id=dag_id,
            run_id=run_id,
            logical_date=when,
            data_interval_start=interval[0],
            data_interval_end=interval[1],
            conf={},
            run_type="manual",
            external_trigger=False,
            queued_at=None,
            start_date=None,
            state="running",
        )
    ti = RuntimeTaskInstance(
        key=TryKey(dag_id, run_id, task_id, map_index, 1),
        task=task,
        metastore=ctx.metastore,
        logical_date=when,
        xcom_max_size=settings.core.xcom_max_size,
    )
    context = build_context(dag=dag, task=task, ti=ti, dag_run=dag_run, metastore=ctx.metastore)
    if hasattr(task, "unmap_for_index"):
        copy_ = task.unmap_for_index(max(map_index, 0), lambda arg: arg.resolve(context))
    else:
        copy_ = task.prepare_for_execution() if hasattr(task, "prepare_for_execution") else task
    context["task"] = copy_
    rendered = render_template_fields(copy_, context)
    from tradewind.runtime.secrets_masker import redact

    for name, value in rendered.items():
        click.echo("")
        click.echo("# " + "-" * 58)
        click.echo(f"# property: {name}")
        click.echo("# " + "-" * 58)
        click.echo(redact(str(value)))


def _stored_run(metastore: Any, dag_id: str, date_or_run_id: str | None, settings: Any) -> Any:
    """The stored run named by ``date_or_run_id`` (a run id, or a logical date), or None."""
    if not date_or_run_id:
        return None
    from sqlalchemy import select

    from tradewind.metastore.models import DagRun

    with metastore.session() as session:
        run = session.execute(
            select(DagRun).where(DagRun.dag_id == dag_id, DagRun.run_id == date_or_run_id)
        ).scalar_one_or_none()
        if run is None:
            try:
                when = parse_logical_date(date_or_run_id, settings.core.default_timezone)
            except TradewindError:
                raise TradewindError(
                    f"DAG {dag_id!r} has no run {date_or_run_id!r}, and it is not a date",
                    hint=f"run `tradewind dags list-runs -d {dag_id}` to see its runs",
                ) from None
            run = session.execute(
                select(DagRun).where(DagRun.dag_id == dag_id, DagRun.logical_date == when)
            ).scalar_one_or_none()
        if run is not None:
            session.expunge(run)
        return run
