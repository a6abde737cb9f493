"""PostgresHook against the real local Postgres (the session's test database)."""

from __future__ import annotations

import uuid

import pytest

from tradewind.errors import TradewindError
from tradewind.hooks import PostgresHook

pytestmark = pytest.mark.postgres


@pytest.fixture
def pg_conn(postgres_database, tw_home, monkeypatch) -> str:
    dbname = postgres_database.rsplit("/", 1)[1]
    monkeypatch.setenv("TRADEWIND_CONN_PG_TEST", f"postgresql://postgres@127.0.0.1:5432/{dbname}")
    return "pg_test"


@pytest.fixture
def table(pg_conn) -> str:
    name = f"t_{uuid.uuid4().hex[:10]}"
    hook = PostgresHook(postgres_conn_id=pg_conn)
    hook.run(f"CREATE TABLE {name} (id INT PRIMARY KEY, name TEXT)")
    yield name
    hook.run(f"DROP TABLE IF EXISTS {name}")


def test_run_insert_rows_and_read_them_back(pg_conn, table):
    hook = PostgresHook(postgres_conn_id=pg_conn)
    assert hook.insert_rows(table, [(1, "a"), (2, "b"), (3, "c")], commit_every=2) == 3
    assert hook.get_records(f"SELECT id, name FROM {table} ORDER BY id") == [
        (1, "a"),
        (2, "b"),
        (3, "c"),
    ]
    assert hook.get_first(f"SELECT count(*) FROM {table}") == (3,)


def test_parameters_are_passed_to_the_driver(pg_conn, table):
    hook = PostgresHook(pg_conn)
    hook.run(f"INSERT INTO {table} VALUES (%(id)s, %(name)s)", parameters={"id": 7, "name": "x'y"})
    assert hook.get_first(f"SELECT name FROM {table} WHERE id = %s", parameters=(7,)) == ("x'y",)


def test_a_list_of_statements_returns_a_list_of_results(pg_conn, table):
    hook = PostgresHook(pg_conn)
    result = hook.run(
        [f"INSERT INTO {table} VALUES (1, 'a')", f"SELECT name FROM {table}"],
        handler=lambda cur: cur.fetchall() if cur.description else None,
    )
    assert result == [None, [("a",)]]


def test_split_statements_runs_a_script_in_one_transaction(pg_conn, table):
    hook = PostgresHook(pg_conn)
    script = f"INSERT INTO {table} VALUES (1, 'semi;colon'); INSERT INTO {table} VALUES (2, 'b');"
    hook.run(script, split_statements=True)
    assert hook.get_records(f"SELECT name FROM {table} ORDER BY id") == [("semi;colon",), ("b",)]


def test_upsert_with_replace_updates_existing_rows(pg_conn, table):
    hook = PostgresHook(pg_conn)
    hook.insert_rows(table, [(1, "old")], target_fields=["id", "name"])
    hook.insert_rows(
        table, [(1, "new")], target_fields=["id", "name"], replace=True, replace_index="id"
    )
    assert hook.get_records(f"SELECT name FROM {table}") == [("new",)]


def test_copy_expert_loads_a_csv_file_and_dumps_it_again(pg_conn, table, tmp_path):
    source = tmp_path / "in.csv"
    source.write_text("1,alice\n2,bob\n")
    hook = PostgresHook(postgres_conn_id=pg_conn)
    hook.copy_expert(f"COPY {table} FROM stdin WITH DELIMITER as ','", str(source))
    assert hook.get_records(f"SELECT name FROM {table} ORDER BY id") == [("alice",), ("bob",)]
    dump = tmp_path / "out.csv"
    hook.copy_expert(f"COPY {table} TO STDOUT WITH CSV", str(dump))
    assert dump.read_text().splitlines() == ["1,alice", "2,bob"]


def test_an_unreachable_server_gives_one_clear_error(tw_home, monkeypatch):
    monkeypatch.setenv("TRADEWIND_CONN_BAD", "postgresql://postgres@127.0.0.1:1/x")
    with pytest.raises(TradewindError, match="cannot connect to Postgres for connection 'bad'"):
        PostgresHook(postgres_conn_id="bad").get_records("SELECT 1")


def test_get_uri_is_a_sqlalchemy_postgresql_url(pg_conn):
    assert PostgresHook(pg_conn).get_uri().startswith("postgresql://postgres@127.0.0.1:5432/")


def test_get_conn_is_a_driver_connection_to_the_connections_database(pg_conn, table):
    dbname = PostgresHook(pg_conn).get_connection(pg_conn).schema
    conn = PostgresHook(postgres_conn_id=pg_conn).get_conn()
    try:
        with conn.cursor() as cursor:
            cursor.execute("SELECT current_database(), current_user")
            assert cursor.fetchone() == (dbname, "postgres")
            cursor.execute(f"INSERT INTO {table} VALUES (1, 'raw')")
        conn.commit()
    finally:
        conn.close()
    assert PostgresHook(pg_conn).get_records(f"SELECT name FROM {table}") == [("raw",)]
