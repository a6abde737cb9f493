"""`tradewind config show|get-value` and `tradewind version`."""

from __future__ import annotations

import json
import tomllib
from importlib.metadata import version as package_version
from pathlib import Path

import pytest

from tradewind.cli.errors import run_with_error_boundary
from tradewind.cli.main import cli

FERNET = "3ZxW-7QdP5t2Sg1dS0_dG6WJ7a3pZr4p8vZ2Y0XKq1A="


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = run_with_error_boundary(cli, list(args))
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture
def configured(tw_home: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    (tw_home / "tradewind.toml").write_text("[scheduler]\nparallelism = 7\npoll_interval = 2.5\n")
    monkeypatch.setenv("TRADEWIND__DATABASE__URL", "postgresql://bob:hunter2@db.example/tw")
    monkeypatch.setenv("TRADEWIND__BROKER__URL", "amqp://guest:guestpw@mq:5672/")
    return tw_home


def test_config_show_prints_valid_toml_with_secrets_masked(configured, capsys) -> None:
    code, out, _ = run(capsys, "config", "show")
    assert code == 0
    for secret in ("hunter2", "guestpw", FERNET, "test-secret-key"):
        assert secret not in out
    values = tomllib.loads(out)
    assert values["database"]["url"] == "postgresql://bob:***@db.example/tw"
    assert values["core"]["fernet_key"] == "***"
    assert values["scheduler"]["parallelism"] == 7  # from tradewind.toml
    assert values["scheduler"]["poll_interval"] == 2.5
    assert values["core"]["dags_folder"] == str(configured / "dags")
    assert "# Folder of DAG files" in out


def test_environment_variables_override_the_file(configured, capsys, monkeypatch) -> None:
    monkeypatch.setenv("TRADEWIND__SCHEDULER__PARALLELISM", "9")
    code, out, _ = run(capsys, "config", "show", "--section", "scheduler", "-o", "json")
    assert code == 0
    assert json.loads(out) == {"scheduler": json.loads(out)["scheduler"]}
    assert json.loads(out)["scheduler"]["parallelism"] == 9


def test_config_show_in_json_masks_too(configured, capsys) -> None:
    _, out, _ = run(capsys, "config", "show", "-o", "json")
    assert json.loads(out)["broker"]["url"] == "amqp://guest:***@mq:5672/"


def test_config_get_value_prints_one_value(configured, capsys) -> None:
    assert run(capsys, "config", "get-value", "scheduler", "parallelism")[1] == "7\n"
    assert run(capsys, "config", "get-value", "core", "dags_folder")[1] == f"{configured}/dags\n"
    assert run(capsys, "config", "get-value", "database", "pool_size")[1] == "5\n"


def test_config_get_value_takes_airflow_names_too(configured, capsys) -> None:
    assert run(capsys, "config", "get-value", "core", "executor")[1] != ""
    url = run(capsys, "config", "get-value", "database", "sql_alchemy_conn")[1]
    assert url == run(capsys, "config", "get-value", "database", "url")[1]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("get-value", "core", "nope"), "has no key 'nope'"),
        (("get-value", "nope", "x"), "unknown configuration section 'nope'"),
        (("show", "--section", "nope"), "unknown configuration section 'nope'"),
    ],
)
def test_unknown_sections_and_keys_are_one_clear_error(configured, capsys, args, message) -> None:
    code, _, err = run(capsys, "config", *args)
    assert code == 1
    assert err.startswith("Error: ") and message in err and "Hint:" in err


def test_a_broken_config_file_is_one_clear_error(tw_home: Path, capsys) -> None:
    (tw_home / "tradewind.toml").write_text("[core\n")
    code, _, err = run(capsys, "config", "show")
    assert code == 1 and "is not valid TOML" in err


def test_version_prints_the_installed_version(capsys) -> None:
    assert run(capsys, "version") == (0, package_version("tradewind") + "\n", "")
