"""Turn errors into one clear line: no traceback reaches a user for bad input."""

from __future__ import annotations

import sys

import click

from tradewind.errors import TradewindError


def fail(message: str, hint: str = "") -> None:
    """Print an error line (and hint) to stderr; the caller exits non-zero."""
    click.secho(f"Error: {message}", fg="red", err=True)
    if hint:
        click.echo(f"Hint: {hint}", err=True)


def run_with_error_boundary(cli: click.Group, argv: list[str] | None) -> int:
    try:
        # with standalone_mode=False, click returns ctx.exit(code)'s code instead of raising
        returned = cli.main(args=argv, prog_name="tradewind", standalone_mode=False)
        if isinstance(returned, int) and not isinstance(returned, bool):
            return returned
    except click.exceptions.Abort:
        click.echo("Aborted.", err=True)
        return 1
    except click.exceptions.Exit as exc:
        return exc.exit_code
    except click.ClickException as exc:
        exc.show()
        return exc.exit_code
    except TradewindError as exc:
        fail(exc.message, exc.hint)
        return 1
    except KeyboardInterrupt:
        return 130
    except Exception as exc:  # a database or broker that cannot be reached, mostly
        described = _describe_infrastructure_error(exc)
        if described is None:
            raise
        fail(*described)
        return 1
    return 0


def _describe_infrastructure_error(exc: Exception) -> tuple[str, str] | None:
    """(message, hint) for an error of the database or the broker; None for anything else."""
    module = type(exc).__module__
    if module.startswith("sqlalchemy"):
        from sqlalchemy.exc import OperationalError, ProgrammingError

        from tradewind.config.masking import mask_url

        url = ""
        try:
            from tradewind.config import load_settings

            url = mask_url(load_settings().database.url)
        except Exception:
            pass
        original = getattr(exc, "orig", exc)
        first_line = str(original).strip().splitlines()[0] if str(original).strip() else ""
        if isinstance(exc, OperationalError | ProgrammingError) and (
            "no such table" in first_line or "does not exist" in first_line
        ):
            return (
                f"the metastore at {url} is not initialised ({first_line})",
                "run `tradewind db init`",
            )
        return f"metastore error at {url}: {first_line}", "check TRADEWIND__DATABASE__URL"
    if module.startswith(("pika", "redis", "dramatiq")):
        return f"broker error: {exc}", "check TRADEWIND__BROKER__URL"
    print(file=sys.stderr)
    return None
