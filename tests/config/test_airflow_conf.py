"""``tradewind.configuration.conf`` answers a DAG file's ``conf.get`` calls as Airflow's does."""

from __future__ import annotations

from pathlib import Path

import pytest

from tradewind.configuration import conf
from tradewind.exceptions import AirflowConfigException


def test_tradewind_and_airflow_names_read_the_same_settings(
    tw_home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("TRADEWIND__DATABASE__URL", "sqlite:////tmp/somewhere.db")
    monkeypatch.setenv("TRADEWIND__SCHEDULER__PARALLELISM", "12")
    assert conf.get("core", "dags_folder") == str(tw_home / "dags")
    assert conf.get("logging", "base_log_folder") == str(tw_home / "logs")
    assert conf.get("database", "sql_alchemy_conn") == "sqlite:////tmp/somewhere.db"
    assert conf.get("core", "sql_alchemy_conn") == conf.get("database", "url")
    assert conf.getint("core", "parallelism") == 12
    assert conf.get("scheduler", "parallelism") == "12"
    assert conf.getboolean("core", "dags_are_paused_at_creation") is True
    assert conf.getfloat("core", "dagbag_import_timeout") == 30.0
    assert conf.get("operators", "default_queue") == "default"
    assert conf.has_option("smtp", "smtp_host")
    assert conf.getsection("scheduler")["parallelism"] == 12


def test_an_unknown_option_raises_unless_a_fallback_is_given(tw_home: Path) -> None:
    with pytest.raises(AirflowConfigException, match=r"\[core/no_such_key\] not found"):
        conf.get("core", "no_such_key")
    assert conf.get("core", "no_such_key", fallback="x") == "x"
    assert conf.getboolean("kubernetes", "in_cluster", fallback=False) is False
    assert conf.getint("nope", "nope", fallback=3) == 3
    assert not conf.has_option("home", "upper")
    assert conf.getsection("nope") is None
