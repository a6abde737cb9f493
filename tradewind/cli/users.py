"""`tradewind users ...`: dashboard accounts."""

from __future__ import annotations

import click

from tradewind.cli.context import command_context
from tradewind.cli.output import output_option, print_rows
from tradewind.metastore.users import ROLES


@click.group()
def users() -> None:
    """Create, list and delete dashboard users."""


@users.command("create")
@click.option("-r", "--role", required=True, type=click.Choice(ROLES, case_sensitive=False))
@click.option("-u", "--username", required=True)
@click.option("-e", "--email", required=True)
@click.option("-f", "--firstname", default="")
@click.option("-l", "--lastname", default="")
@click.option("-p", "--password", default=None, help="Generated and printed when omitted.")
@click.option("--use-random-password", is_flag=True, help="Generate a password (the default).")
def create(
    role: str,
    username: str,
    email: str,
    firstname: str,
    lastname: str,
    password: str | None,
    use_random_password: bool,
) -> None:
    """Create a user with a role: Admin, Op, User or Viewer."""
    from tradewind.metastore.users import create_user

    ctx = command_context()
    with ctx.metastore.session() as session:
        user, generated = create_user(
            session,
            username,
            email=email,
            role=role,
            password=None if use_random_password else password,
            first_name=firstname,
            last_name=lastname,
        )
        role_name = user.role
    click.echo(f'User "{username}" created with role "{role_name}"')
    if generated:
        click.echo(f"Password: {generated}")


@users.command("list")
@output_option
def list_(output: str) -> None:
    """List users."""
    from tradewind.metastore.users import list_users

    ctx = command_context()
    with ctx.metastore.session() as session:
        rows = [
            {
                "id": u.id,
                "username": u.username,
                "email": u.email,
                "first_name": u.first_name,
                "last_name": u.last_name,
                "role": u.role,
            }
            for u in list_users(session)
        ]
    print_rows(rows, output)


@users.command("delete")
@click.option("-u", "--username", required=True)
def delete(username: str) -> None:
    """Delete a user."""
    from tradewind.metastore.users import delete_user

    ctx = command_context()
    with ctx.metastore.session() as session:
        delete_user(session, username)
    click.echo(f'User "{username}" deleted')


@users.command("reset-password")
@click.option("-u", "--username", required=True)
@click.option("-p", "--password", default=None, help="Generated and printed when omitted.")
def reset(username: str, password: str | None) -> None:
    """Set a new password for a user."""
    from tradewind.metastore.users import reset_password

    ctx = command_context()
    with ctx.metastore.session() as session:
        new = reset_password(session, username, password)
    click.echo(f'Password of "{username}" reset')
    if password is None:
        click.echo(f"Password: {new}")


@users.command("add-token")
@click.option("-u", "--username", required=True)
@click.option("-n", "--name", default="", help="A label for the token.")
def add_token(username: str, name: str) -> None:
    """Create an API token for a user (shown once)."""
    from tradewind.metastore.users import create_api_token

    ctx = command_context()
    with ctx.metastore.session() as session:
        token = create_api_token(session, username, name)
    click.echo(token)
