"""Read-only DAG commands: `dags list | show | list-import-errors | details | reserialize` and
`tasks list`.

They read the serialized structure in the metastore and never import user code themselves; when
a DAG file changed since it was last parsed, the folder is parsed and synced first (cheap when
nothing changed), as Airflow's `dags list` parses the folder.
"""

from __future__ import annotations

import json
from typing import Any

import click

from tradewind.cli.context import CommandContext, command_context
from tradewind.cli.output import output_option, print_rows
from tradewind.core.spec import DagSpec
from tradewind.errors import DagNotFound

subdir_option = click.option(
    "-S",
    "--subdir",
    type=click.Path(exists=True),
    default=None,
    help="File or folder to parse DAGs from (default: core.dags_folder).",
)


def _refresh(ctx: CommandContext, subdir: str | None, *, force: bool = False) -> Any:
    from tradewind.metastore.dag_refresh import refresh_dag_folder

    return refresh_dag_folder(ctx.metastore, ctx.settings, dag_folder=subdir, force=force)


def _import_error_count(session: Any) -> int:
    from sqlalchemy import func, select

    from tradewind.metastore.models import ImportError_

    return session.execute(select(func.count()).select_from(ImportError_)).scalar_one()


def _warn_import_errors(ctx: CommandContext) -> None:
    with ctx.metastore.session() as session:
        count = _import_error_count(session)
    if count:
        click.secho(
            "Failed to load all files. For details, run `tradewind dags list-import-errors`",
            fg="yellow",
            err=True,
        )


def load_active_spec(ctx: CommandContext, dag_id: str) -> tuple[Any, DagSpec]:
    """The DAG's row and latest spec; DagNotFound (with a hint) when unknown or inactive."""
    from tradewind.metastore.dag_sync import load_spec
    from tradewind.metastore.models import DagModel

    with ctx.metastore.session() as session:
        model = session.get(DagModel, dag_id)
        if model is None or not model.is_active or model.latest_version_id is None:
            hint = "run `tradewind dags list` to see the DAGs that are known"
            if model is not None and not model.is_active:
                hint = f"its file ({model.fileloc}) no longer defines it; " + hint
            elif _import_error_count(session):
                hint = "some DAG files failed to import: run `tradewind dags list-import-errors`"
            raise DagNotFound(f"DAG {dag_id!r} not found", hint=hint)
        return model, load_spec(session, dag_id)


# -- dags list ---------------------------------------------------------------------------------


@click.command("list")
@output_option
@subdir_option
def list_dags(output: str, subdir: str | None) -> None:
    """List the DAGs (dag_id, fileloc, owners, is_paused)."""
    from sqlalchemy import select

    from tradewind.metastore.models import DagModel

    ctx = command_context()
    _refresh(ctx, subdir)
    with ctx.metastore.session() as session:
        models = session.execute(
            select(DagModel).where(DagModel.is_active.is_(True)).order_by(DagModel.dag_id)
        ).scalars()
        rows = [
            {
                "dag_id": m.dag_id,
                "fileloc": m.fileloc,
                "owners": m.owners,
                "is_paused": m.is_paused,
            }
            for m in models
        ]
    print_rows(rows, output, ["dag_id", "fileloc", "owners", "is_paused"])
    _warn_import_errors(ctx)


@click.command("list-import-errors")
@output_option
@subdir_option
def list_import_errors(output: str, subdir: str | None) -> None:
    """List the DAG files that failed to import, with their errors."""
    from sqlalchemy import select

    from tradewind.metastore.models import ImportError_

    ctx = command_context()
    _refresh(ctx, subdir)
    with ctx.metastore.session() as session:
        errors = session.execute(select(ImportError_).order_by(ImportError_.filename)).scalars()
        rows = [{"filepath": e.filename, "error": e.message} for e in errors]
    if output == "table":  # one line per file; -o json/yaml/plain carry the whole message
        rows = [{**r, "error": r["error"].splitlines()[0] if r["error"] else ""} for r in rows]
    print_rows(rows, output, ["filepath", "error"])


@click.command("reserialize")
@subdir_option
def reserialize(subdir: str | None) -> None:
    """Parse every DAG file again and store each DAG's structure (a new version if it changed)."""
    ctx = command_context()
    result = _refresh(ctx, subdir, force=True)
    parsed = len(result.updated_dag_ids) + len(result.new_versions)
    click.echo(
        f"Reserialized {parsed} DAG(s): {len(result.created_dag_ids)} new, "
        f"{len(result.new_versions)} new version(s), "
        f"{len(result.deactivated_dag_ids)} deactivated, "
        f"{len(result.import_error_files)} file(s) with import errors."
    )
    if result.import_error_files:
        _warn_import_errors(ctx)


# -- dags details / show -----------------------------------------------------------------------


@click.command("details")
@click.argument("dag_id")
@output_option
@subdir_option
def dag_details(dag_id: str, output: str, subdir: str | None) -> None:
    """Show a DAG's properties."""
    from tradewind.metastore.models import DagVersion

    ctx = command_context()
    _refresh(ctx, subdir)
    model, spec = load_active_spec(ctx, dag_id)
    with ctx.metastore.session() as session:
        version = session.get(DagVersion, model.latest_version_id)
        version_number = version.version_number if version else None
    details: dict[str, Any] = {
        "dag_id": spec.dag_id,
        "fileloc": model.fileloc,
        "owners": model.owners,
        "description": spec.description,
        "is_paused": model.is_paused,
        "is_active": model.is_active,
        "has_import_errors": model.has_import_errors,
        "schedule": spec.schedule.description,
        "timezone": spec.timezone,
        "start_date": spec.start_date,
        "end_date": spec.end_date,
        "catchup": spec.catchup,
        "max_active_runs": spec.max_active_runs,
        "max_active_tasks": spec.max_active_tasks,
        "dagrun_timeout": spec.dagrun_timeout,
        "tags": list(spec.tags),
        "params": spec.params,
        "default_args": spec.default_args,
        "task_count": len(spec.tasks),
        "version": version_number,
        "last_parsed_at": model.last_parsed_at,
        "next_dagrun": model.next_dagrun,
        "next_dagrun_create_after": model.next_dagrun_create_after,
    }
    if output == "table":
        print_rows([{"property": k, "value": _show(v)} for k, v in details.items()], output)
    else:
        print_rows([details], output)


def _show(value: Any) -> Any:
    if isinstance(value, dict):
        return json.dumps(value, default=str, sort_keys=True) if value else ""
    return value


@click.command("show")
@click.argument("dag_id")
@click.option("--dot", "as_dot", is_flag=True, help="Print the graph in Graphviz dot.")
@subdir_option
def show_dag(dag_id: str, as_dot: bool, subdir: str | None) -> None:
    """Show a DAG's graph: as a text tree, or in Graphviz dot with --dot."""
    from tradewind.cli.dag_graph import render_dot, render_text_tree

    ctx = command_context()
    _refresh(ctx, subdir)
    _model, spec = load_active_spec(ctx, dag_id)
    click.echo(render_dot(spec) if as_dot else render_text_tree(spec))


# -- tasks list --------------------------------------------------------------------------------


@click.command("list")
@click.argument("dag_id")
@click.option("--tree", "-t", is_flag=True, help="Print the tasks as a tree of downstreams.")
@click.option(
    "-o",
    "--output",
    type=click.Choice(["plain", "table", "json", "yaml"]),
    default="plain",
    show_default=True,
    help="Output format (plain: one task id a line, as Airflow).",
)
@subdir_option
def list_tasks(dag_id: str, tree: bool, output: str, subdir: str | None) -> None:
    """List the tasks of a DAG."""
    from tradewind.cli.dag_graph import render_task_tree

    ctx = command_context()
    _refresh(ctx, subdir)
    _model, spec = load_active_spec(ctx, dag_id)
    if tree:
        click.echo(render_task_tree(spec))
        return
    if output == "plain":
        click.echo("\n".join(sorted(spec.task_ids)))
        return
    rows = [
        {
            "task_id": t.task_id,
            "operator": t.operator,
            "upstream": sorted(t.upstream),
            "downstream": sorted(t.downstream),
            "trigger_rule": t.trigger_rule,
            "queue": t.queue,
            "pool": t.pool,
            "retries": t.retries,
            "group_id": t.group_id,
        }
        for t in sorted(spec.tasks, key=lambda t: t.task_id)
    ]
    print_rows(rows, output)
