"""A ported deployment's ``AIRFLOW_VAR_*`` / ``AIRFLOW_CONN_*`` environment keeps working;
Tradewind's own prefix wins when both are set."""

from __future__ import annotations

import pytest

from tradewind.hooks.base import BaseHook
from tradewind.sdk.variable import Variable


def test_airflow_var_environment_variables_are_read(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AIRFLOW_VAR_REGION", "eu-west-1")
    monkeypatch.setenv("AIRFLOW_VAR_CFG", '{"n": 2}')
    assert Variable.get("region") == "eu-west-1"
    assert Variable.get("cfg", deserialize_json=True) == {"n": 2}
    monkeypatch.setenv("TRADEWIND_VAR_REGION", "us-east-1")
    assert Variable.get("region") == "us-east-1"


def test_airflow_conn_environment_variables_are_read(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AIRFLOW_CONN_WAREHOUSE", "postgresql://etl:pw@db.example:5433/dwh")
    conn = BaseHook.get_connection("warehouse")
    assert (conn.conn_type, conn.host, conn.port, conn.login, conn.schema) == (
        "postgres",
        "db.example",
        5433,
        "etl",
        "dwh",
    )
    monkeypatch.setenv("TRADEWIND_CONN_WAREHOUSE", "http://other.example")
    assert BaseHook.get_connection("warehouse").host == "other.example"


def test_a_connection_uri_that_cannot_be_parsed_is_one_clear_error(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from tradewind.errors import TradewindError

    monkeypatch.setenv("AIRFLOW_CONN_BROKEN", "postgres://u:p@[::1/db")
    with pytest.raises(TradewindError, match="invalid connection URI"):
        BaseHook.get_connection("broken")
