"""Load :class:`Settings`: defaults, then ``$TRADEWIND_HOME/tradewind.toml``, then the
environment (``TRADEWIND__SECTION__KEY``). Called at process start, never at import."""

from __future__ import annotations

import os
import tomllib
from dataclasses import fields
from pathlib import Path
from typing import Any

from tradewind.config.settings import SECTIONS, Settings
from tradewind.errors import ConfigError

ENV_PREFIX = "TRADEWIND__"
_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}


def tradewind_home(environ: dict[str, str] | None = None) -> Path:
    env = os.environ if environ is None else environ
    return Path(env.get("TRADEWIND_HOME") or Path.home() / "tradewind").expanduser()


def config_file(home: Path) -> Path:
    return home / "tradewind.toml"


def _coerce(section: str, key: str, raw: Any, kind: Any) -> Any:
    name = f"{section}.{key}"
    kind_name = kind if isinstance(kind, str) else getattr(kind, "__name__", str(kind))
    try:
        if kind_name == "bool":
            if isinstance(raw, bool):
                return raw
            text = str(raw).strip().lower()
            if text in _TRUE:
                return True
            if text in _FALSE:
                return False
            raise ValueError(raw)
        if kind_name == "int":
            return int(raw)
        if kind_name == "float":
            return float(raw)
        return str(raw)
    except (TypeError, ValueError):
        raise ConfigError(
            f"configuration key {name} = {raw!r} is not a valid {kind_name}",
            hint=f"set {ENV_PREFIX}{section.upper()}__{key.upper()} or fix tradewind.toml",
        ) from None


def load_settings(environ: dict[str, str] | None = None) -> Settings:
    """Build the settings for this process."""
    env = dict(os.environ if environ is None else environ)
    home = tradewind_home(env)
    settings = Settings(home=str(home))

    file_values: dict[str, Any] = {}
    path = config_file(home)
    if path.exists():
        try:
            file_values = tomllib.loads(path.read_text())
        except tomllib.TOMLDecodeError as exc:
            raise ConfigError(f"{path} is not valid TOML: {exc}") from None

    for section in SECTIONS:
        obj = getattr(settings, section)
        known = {f.name: f for f in fields(obj)}
        from_file = file_values.get(section, {}) or {}
        if not isinstance(from_file, dict):
            raise ConfigError(f"[{section}] in {path} must be a table")
        for key, value in from_file.items():
            if key not in known:
                raise ConfigError(f"unknown configuration key {section}.{key} in {path}")
            setattr(obj, key, _coerce(section, key, value, known[key].type))
        for key, f in known.items():
            env_name = f"{ENV_PREFIX}{section.upper()}__{key.upper()}"
            if env_name in env:
                setattr(obj, key, _coerce(section, key, env[env_name], f.type))

    if not settings.core.dags_folder:
        settings.core.dags_folder = str(home / "dags")
    if not settings.logging.base_log_folder:
        settings.logging.base_log_folder = str(home / "logs")
    if not settings.database.url:
        settings.database.url = f"sqlite:///{home / 'tradewind.db'}"
    if not settings.core.hostname:
        import socket

        settings.core.hostname = socket.getfqdn()
    return settings


def write_config_value(home: Path, section: str, key: str, value: str) -> None:
    """Set one key in tradewind.toml, keeping the rest of the file (used for a new fernet key)."""
    path = config_file(home)
    home.mkdir(parents=True, exist_ok=True)
    data: dict[str, Any] = tomllib.loads(path.read_text()) if path.exists() else {}
    data.setdefault(section, {})[key] = value
    lines: list[str] = []
    for sec, values in data.items():
        lines.append(f"[{sec}]")
        for k, v in values.items():
            if isinstance(v, bool):
                lines.append(f"{k} = {'true' if v else 'false'}")
            elif isinstance(v, int | float):
                lines.append(f"{k} = {v}")
            else:
                escaped = str(v).replace("\\", "\\\\").replace('"', '\\"')
                lines.append(f'{k} = "{escaped}"')
        lines.append("")
    path.write_text("\n".join(lines))
