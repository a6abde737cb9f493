"""``tradewind tasks logs DAG_ID RUN_ID TASK_ID [--try N] [--map-index N] [--follow]``.

Reads the log of a try from the local log folder when the file is here, otherwise from the log
server of the worker that ran it (``task_instance.worker_name`` -> ``worker.log_server_url``),
with a request signed by ``core.secret_key``. ``--follow`` keeps reading a running try's log until
the try ends.
"""

from __future__ import annotations

import time
from typing import Any

import click

FOLLOW_INTERVAL = 0.5


@click.command()
@click.argument("dag_id")
@click.argument("run_id")
@click.argument("task_id")
@click.option("--try", "try_number", type=int, default=None, help="Try number (default: latest).")
@click.option("--map-index", type=int, default=-1, show_default=True, help="Mapped task index.")
@click.option("-f", "--follow", is_flag=True, help="Keep printing until the try ends.")
def logs(
    dag_id: str, run_id: str, task_id: str, try_number: int | None, map_index: int, follow: bool
) -> None:
    """Print the log of a task try, from this machine or from the worker that runs it."""
    from tradewind.cli.context import command_context
    from tradewind.core.keys import TryKey
    from tradewind.errors import TradewindError
    from tradewind.runtime.task_log import try_log_path, try_log_relpath

    ctx = command_context()
    ti = _task_instance(ctx.metastore, dag_id, run_id, task_id, map_index)
    number = try_number or ti["try_number"]
    if number < 1:
        raise TradewindError(f"{dag_id}.{task_id} in {run_id} has not run yet")
    key = TryKey(dag_id, run_id, task_id, map_index, number)
    local = try_log_path(ctx.settings.logging.base_log_folder, key)
    relpath = try_log_relpath(key)
    server = None if local.exists() else _log_server(ctx.metastore, key)
    if server is None and not local.exists():
        raise TradewindError(
            f"no log for {key}: not under {ctx.settings.logging.base_log_folder} and no worker "
            "log server is known for it"
        )
    offset = 0
    while True:
        if server is None:
            with open(local, "rb") as handle:
                handle.seek(offset)
                data = handle.read()
            text, offset = data.decode("utf-8", errors="replace"), offset + len(data)
        else:
            from broker_config.log_client import fetch_log

            chunk = fetch_log(server, relpath, ctx.settings.core.secret_key, offset=offset)
            text, offset = chunk.text, chunk.next_offset
        if text:
            click.echo(text, nl=False)
        if not follow:
            return
        if not _still_running(ctx.metastore, key):
            break
        time.sleep(FOLLOW_INTERVAL)
    _print_rest(server, local, relpath, ctx.settings.core.secret_key, offset)


def _print_rest(server: str | None, local: Any, relpath: str, secret: str, offset: int) -> None:
    """After the try ended: what it wrote between the last read and its end."""
    if server is None:
        with open(local, "rb") as handle:
            handle.seek(offset)
            text = handle.read().decode("utf-8", errors="replace")
    else:
        from broker_config.log_client import fetch_log

        text = fetch_log(server, relpath, secret, offset=offset).text
    if text:
        click.echo(text, nl=False)


def _task_instance(metastore: Any, dag_id: str, run_id: str, task_id: str, map_index: int) -> dict:
    from sqlalchemy import select

    from tradewind.errors import TaskNotFound
    from tradewind.metastore.models import TaskInstance

    with metastore.session() as session:
        row = session.execute(
            select(TaskInstance.try_number, TaskInstance.worker_name, TaskInstance.state).where(
                TaskInstance.dag_id == dag_id,
                TaskInstance.run_id == run_id,
                TaskInstance.task_id == task_id,
                TaskInstance.map_index == map_index,
            )
        ).first()
    if row is None:
        raise TaskNotFound(f"no task instance {dag_id}.{task_id} in run {run_id}")
    return {"try_number": row.try_number, "worker_name": row.worker_name, "state": row.state}


def _log_server(metastore: Any, key: Any) -> str | None:
    from sqlalchemy import select

    from tradewind.metastore.models import TaskTry, Worker

    with metastore.session() as session:
        name = session.execute(
            select(TaskTry.worker_name).where(
                TaskTry.dag_id == key.dag_id,
                TaskTry.run_id == key.run_id,
                TaskTry.task_id == key.task_id,
                TaskTry.map_index == key.map_index,
                TaskTry.try_number == key.try_number,
            )
        ).scalar()
        if not name:
            return None
        return session.execute(select(Worker.log_server_url).where(Worker.name == name)).scalar()


def _still_running(metastore: Any, key: Any) -> bool:
    from sqlalchemy import select

    from tradewind.metastore.models import TaskInstance

    with metastore.session() as session:
        row = session.execute(
            select(TaskInstance.state, TaskInstance.try_number).where(
                TaskInstance.dag_id == key.dag_id,
                TaskInstance.run_id == key.run_id,
                TaskInstance.task_id == key.task_id,
                TaskInstance.map_index == key.map_index,
            )
        ).first()
    return row is not None and row.try_number == key.try_number and row.state == "running"
