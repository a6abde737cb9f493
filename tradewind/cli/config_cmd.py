"""`tradewind config show|get-value`: the configuration in effect, secrets masked."""

from __future__ import annotations

import json
from dataclasses import fields
from typing import Any

import click

from tradewind.config.settings import SECTIONS, Settings


@click.group()
def config() -> None:
    """Show the configuration: defaults < tradewind.toml < TRADEWIND__SECTION__KEY."""


@config.command("show")
@click.option("--section", help="Only this section (core, database, scheduler, ...).")
@click.option(
    "-o",
    "--output",
    type=click.Choice(["toml", "json"]),
    default="toml",
    show_default=True,
    help="Output format.",
)
def show(section: str | None, output: str) -> None:
    """Print the configuration in effect, with secrets masked."""
    from tradewind.config import load_settings
    from tradewind.config.masking import settings_as_dict

    settings = load_settings()
    values = settings_as_dict(settings, masked=True)
    if section is not None:
        _check_section(section)
        values = {section: values[section]}
    if output == "json":
        click.echo(json.dumps(values, indent=2))
    else:
        click.echo(_as_toml(settings, values))


@config.command("list")
@click.option("--section", help="Only this section.")
@click.pass_context
def list_(ctx: click.Context, section: str | None) -> None:
    """Same as `config show` (Airflow's name)."""
    ctx.invoke(show, section=section, output="toml")


@config.command("get-value")
@click.argument("section")
@click.argument("key")
def get_value(section: str, key: str) -> None:
    """Print one configuration value, as Airflow's `config get-value` does."""
    from tradewind.config import load_settings
    from tradewind.configuration import airflow_name
    from tradewind.errors import ConfigError

    section, key = airflow_name(section, key)
    _check_section(section)
    obj = getattr(load_settings(), section)
    known = [f.name for f in fields(obj)]
    if key not in known:
        raise ConfigError(
            f"the section {section} has no key {key!r}", hint=f"its keys: {', '.join(known)}"
        )
    value = getattr(obj, key)
    click.echo(_toml_value(value).strip('"') if isinstance(value, str) else _toml_value(value))


def _check_section(section: str) -> None:
    if section not in SECTIONS:
        from tradewind.errors import ConfigError

        raise ConfigError(
            f"unknown configuration section {section!r}", hint=f"sections: {', '.join(SECTIONS)}"
        )


def _as_toml(settings: Settings, values: dict[str, dict[str, Any]]) -> str:
    lines = [f"# TRADEWIND_HOME = {settings.home}"]
    for section, section_values in values.items():
        docs = {f.name: f.metadata.get("doc", "") for f in fields(getattr(settings, section))}
        lines += ["", f"[{section}]"]
        for key, value in section_values.items():
            if docs.get(key):
                lines.append(f"# {docs[key]}")
            lines.append(f"{key} = {_toml_value(value)}")
    return "\n".join(lines)


def _toml_value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return repr(value)
    return json.dumps(str(value))  # a TOML basic string is a JSON string
