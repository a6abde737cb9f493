"""`tradewind cheat-sheet`: every command and subcommand, with its one-line help."""

from __future__ import annotations

import click
import pytest

from tradewind.cli.cheat_sheet import walk_commands
from tradewind.cli.errors import run_with_error_boundary
from tradewind.cli.main import cli


def test_walk_commands_descends_into_nested_groups_and_skips_hidden_ones() -> None:
    @click.group()
    def root() -> None:
        """Root."""

    @root.group()
    def outer() -> None:
        """Outer."""

    @outer.group()
    def inner() -> None:
        """Inner."""

    @inner.command()
    def deep() -> None:
        """Deep."""

    @root.command(hidden=True)
    def secret() -> None:
        """Hidden."""

    paths = [p for p, _ in walk_commands(root, click.Context(root))]
    assert paths == [("outer",), ("outer", "inner"), ("outer", "inner", "deep")]


def test_the_cheat_sheet_lists_every_command_with_its_help(capsys: pytest.CaptureFixture) -> None:
    assert run_with_error_boundary(cli, ["cheat-sheet"]) == 0
    out = capsys.readouterr().out
    lines = out.splitlines()
    leaves = [
        (path, command)
        for path, command in walk_commands(cli, click.Context(cli))
        if not isinstance(command, click.Group)
    ]
    assert len(leaves) >= 8
    for path, command in leaves:
        usage = "tradewind " + " ".join(path)
        matching = [line for line in lines if line.strip().split("  ")[0] == usage]
        assert matching, f"{usage} missing from the cheat sheet"
        assert command.get_short_help_str(70) in matching[0]
    for expected in ("tradewind db reset", "tradewind config get-value", "tradewind version"):
        assert expected in out
