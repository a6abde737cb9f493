"""`tradewind version`."""

from __future__ import annotations

import click


@click.command()
def version() -> None:
    """Print Tradewind's version."""
    from importlib.metadata import PackageNotFoundError
    from importlib.metadata import version as package_version

    try:
        click.echo(package_version("tradewind"))
    except PackageNotFoundError:  # running from a source tree that was never installed
        click.echo("0+unknown")
