"""Configuration in one place: defaults, then $TRADEWIND_HOME/tradewind.toml, then
TRADEWIND__SECTION__KEY environment variables (tradewind.config.loader)."""

from __future__ import annotations

from pathlib import Path

import pytest

from tradewind.config import load_settings
from tradewind.errors import ConfigError


def test_tradewind_home_defaults_to_tradewind_in_the_home_directory(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("HOME", str(tmp_path))
    settings = load_settings({"HOME": str(tmp_path)})
    home = tmp_path / "tradewind"
    assert settings.home == str(home)
    assert settings.core.dags_folder == str(home / "dags")
    assert settings.database.url == f"sqlite:///{home / 'tradewind.db'}"
    assert settings.logging.base_log_folder == str(home / "logs")


def test_the_file_overrides_the_defaults_and_the_environment_overrides_the_file(
    tmp_path: Path,
) -> None:
    (tmp_path / "tradewind.toml").write_text(
        '[core]\ndags_folder = "/srv/dags"\nxcom_max_size = 10\n[scheduler]\nparallelism = 4\n'
    )
    env = {"TRADEWIND_HOME": str(tmp_path)}
    from_file = load_settings(env)
    assert (from_file.core.dags_folder, from_file.core.xcom_max_size) == ("/srv/dags", 10)
    assert from_file.scheduler.parallelism == 4
    overridden = load_settings(
        {
            **env,
            "TRADEWIND__CORE__DAGS_FOLDER": "/opt/dags",
            "TRADEWIND__SCHEDULER__PARALLELISM": "9",
            "TRADEWIND__CORE__DAGS_ARE_PAUSED_AT_CREATION": "false",
        }
    )
    assert overridden.core.dags_folder == "/opt/dags"
    assert overridden.scheduler.parallelism == 9
    assert overridden.core.dags_are_paused_at_creation is False
    assert overridden.core.xcom_max_size == 10  # the file still applies to the rest


@pytest.mark.parametrize(
    ("env", "toml", "message"),
    [
        ({"TRADEWIND__SCHEDULER__PARALLELISM": "many"}, "", "scheduler.parallelism = 'many'"),
        ({"TRADEWIND__CORE__DAGS_ARE_PAUSED_AT_CREATION": "maybe"}, "", "not a valid bool"),
        ({}, "[core]\ndag_folder = 'typo'\n", "unknown configuration key core.dag_folder"),
        ({}, "[core\n", "is not valid TOML"),
    ],
)
def test_bad_values_name_the_key(
    tmp_path: Path, env: dict[str, str], toml: str, message: str
) -> None:
    if toml:
        (tmp_path / "tradewind.toml").write_text(toml)
    with pytest.raises(ConfigError, match=message):
        load_settings({"TRADEWIND_HOME": str(tmp_path), **env})
