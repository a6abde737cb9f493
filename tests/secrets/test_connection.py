"""Connection URIs (Airflow's format), environment precedence and masking of passwords."""

from __future__ import annotations

import json

import pytest

from tradewind.errors import ConnectionNotFound
from tradewind.metastore.connections import add_connection
from tradewind.runtime.secrets_masker import redact, reset_secrets
from tradewind.sdk.connection import Connection


@pytest.fixture(autouse=True)
def _forget_secrets():
    reset_secrets()
    yield
    reset_secrets()


def test_a_postgres_uri_is_split_into_fields_and_query_into_extra():
    conn = Connection(conn_id="pg", uri="postgresql://user:p%40ss@db.local:5432/mydb?sslmode=off")
    assert conn.conn_type == "postgres"
    assert (conn.host, conn.port, conn.schema) == ("db.local", 5432, "mydb")
    assert (conn.login, conn.password) == ("user", "p@ss")
    assert conn.extra_dejson == {"sslmode": "off"}


def test_get_uri_round_trips_through_the_constructor():
    conn = Connection(
        conn_id="x",
        conn_type="http",
        host="api.example.com",
        login="me",
        password="a b/c",
        port=8443,
        schema="v1",
        extra={"timeout": "10"},
    )
    again = Connection(conn_id="x", uri=conn.get_uri())
    assert again == conn


def test_a_host_with_a_protocol_is_kept_as_in_airflow():
    conn = Connection(uri="http://https://example.com:443")
    assert conn.conn_type == "http"
    assert conn.host == "https://example.com"
    assert conn.port == 443
    assert conn.get_uri() == "http://https://example.com:443"


def test_non_string_extras_travel_in_the_extra_query_key():
    conn = Connection(conn_type="fs", extra={"path": "/data", "nested": {"a": 1}})
    uri = conn.get_uri()
    assert "__extra__" in uri
    assert Connection(uri=uri).extra_dejson == {"path": "/data", "nested": {"a": 1}}


def test_the_environment_takes_precedence_over_the_metastore(metastore, monkeypatch):
    with metastore.session() as session:
        add_connection(session, Connection(conn_id="my_db", conn_type="postgres", host="stored"))
    assert Connection.get_connection_from_secrets("my_db").host == "stored"
    monkeypatch.setenv("TRADEWIND_CONN_MY_DB", "postgresql://u:pw@fromenv:5433/db")
    conn = Connection.get_connection_from_secrets("my_db")
    assert (conn.host, conn.port, conn.conn_id) == ("fromenv", 5433, "my_db")


def test_a_json_environment_connection_is_understood(tw_home, monkeypatch):
    monkeypatch.setenv(
        "TRADEWIND_CONN_API",
        json.dumps({"conn_type": "http", "host": "localhost", "port": 80, "extra": {"k": "v"}}),
    )
    conn = Connection.get_connection_from_secrets("api")
    assert (conn.conn_type, conn.host, conn.port) == ("http", "localhost", 80)
    assert conn.extra_dejson == {"k": "v"}


def test_an_unknown_conn_id_is_named_in_the_error(metastore):
    with pytest.raises(ConnectionNotFound, match="The conn_id `nope` isn't defined"):
        Connection.get_connection_from_secrets("nope")


def test_a_password_read_from_the_metastore_is_masked_in_logs(metastore):
    with metastore.session() as session:
        add_connection(session, Connection(conn_id="c", conn_type="http", password="hunter22"))
    reset_secrets()
    conn = Connection.get_connection_from_secrets("c")
    assert conn.password == "hunter22"
    assert redact("login with hunter22") == "login with ***"
