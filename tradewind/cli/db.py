"""`tradewind db init|upgrade|reset|check`: the metastore's schema."""

from __future__ import annotations

import click

from tradewind.cli.context import command_context


@click.group()
def db() -> None:
    """Create, upgrade, reset and check the metastore."""


@db.command("init")
def init() -> None:
    """Create the metastore's tables, the default pool and a Fernet key if none is set."""
    from tradewind.metastore import db_admin

    for message in db_admin.init(command_context().settings):
        click.echo(message)


@db.command("upgrade")
def upgrade() -> None:
    """Upgrade the metastore's schema to the latest migration."""
    _upgrade()


@db.command("migrate")
def migrate() -> None:
    """Same as `db upgrade` (Airflow 2.7+'s name)."""
    _upgrade()


@db.command("reset")
@click.option("-y", "--yes", is_flag=True, help="Do not ask for confirmation.")
def reset(yes: bool) -> None:
    """Drop every table of the metastore and initialise it again (all records are lost)."""
    from tradewind.config.masking import mask_url
    from tradewind.metastore import db_admin

    settings = command_context().settings
    if not yes:
        click.confirm(
            f"This drops every table of the metastore at {mask_url(settings.database.url)}, "
            "losing all its records. Proceed?",
            abort=True,
        )
    for message in db_admin.reset(settings):
        click.echo(message)


@db.command("check")
def check() -> None:
    """Check that the metastore is reachable and its schema is up to date (exit 1 if not)."""
    from tradewind.metastore import db_admin

    status = db_admin.check(command_context().settings)
    click.echo(status.describe())
    if not status.at_head:
        click.echo("Run `tradewind db upgrade` (or `tradewind db init`).", err=True)
        raise SystemExit(1)


def _upgrade() -> None:
    from tradewind.config.masking import mask_url
    from tradewind.metastore import db_admin
    from tradewind.metastore.engine import Metastore
    from tradewind.metastore.pools import ensure_default_pool

    settings = command_context().settings
    store = Metastore.from_settings(settings)
    try:
        db_admin.upgrade(store)
        with store.session() as session:
            ensure_default_pool(session, slots=settings.core.default_pool_slots)
    finally:
        store.dispose()
    click.echo(f"The metastore at {mask_url(store.url)} is at revision {db_admin.head_revision()}.")
