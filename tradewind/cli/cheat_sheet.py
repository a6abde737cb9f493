"""`tradewind cheat-sheet`: every command and subcommand with its one-line help."""

from __future__ import annotations

from collections.abc import Iterator

import click

SHORT_HELP_WIDTH = 70


def walk_commands(
    group: click.Group, ctx: click.Context, path: tuple[str, ...] = ()
) -> Iterator[tuple[tuple[str, ...], click.Command]]:
    """Every (command path, command) under ``group``, depth first, in name order."""
    for name in group.list_commands(ctx):
        command = group.get_command(ctx, name)
        if command is None or command.hidden:
            continue
        sub_path = (*path, name)
        yield sub_path, command
        if isinstance(command, click.Group):
            sub_ctx = click.Context(command, info_name=name, parent=ctx)
            yield from walk_commands(command, sub_ctx, sub_path)


@click.command("cheat-sheet")
def cheat_sheet() -> None:
    """Display every command with its one-line help."""
    from tradewind.cli.main import cli

    root_ctx = click.Context(cli, info_name="tradewind")
    entries = list(walk_commands(cli, root_ctx))
    width = max((len(" ".join(path)) for path, _ in entries), default=0) + len("tradewind ")
    leaves = [(p, c) for p, c in entries if not isinstance(c, click.Group)]
    top_level = [(p, c) for p, c in leaves if len(p) == 1]
    groups = [(p, c) for p, c in entries if isinstance(c, click.Group)]

    def line(path: tuple[str, ...], command: click.Command) -> str:
        usage = "tradewind " + " ".join(path)
        return f"  {usage.ljust(width)}  {command.get_short_help_str(SHORT_HELP_WIDTH)}"

    click.secho("Miscellaneous commands", bold=True)
    for path, command in top_level:
        click.echo(line(path, command))
    for group_path, group in groups:
        click.echo("")
        click.secho(
            f"tradewind {' '.join(group_path)}: {group.get_short_help_str(SHORT_HELP_WIDTH)}",
            bold=True,
        )
        for path, command in leaves:
            if path[:-1] == group_path:
                click.echo(line(path, command))
