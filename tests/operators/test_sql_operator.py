"""SQLExecuteQueryOperator and PostgresOperator against SQLite files and the real Postgres."""

from __future__ import annotations

import uuid

import pytest

from tradewind.errors import TradewindError
from tradewind.hooks import PostgresHook
from tradewind.operators.postgres import PostgresOperator
from tradewind.operators.sql import SQLExecuteQueryOperator


@pytest.fixture
def sqlite_conn(tw_home, tmp_path, monkeypatch) -> str:
    monkeypatch.setenv("TRADEWIND_CONN_LITE", f"sqlite:///{tmp_path / 'lite.db'}")
    return "lite"


@pytest.fixture
def pg_conn(postgres_database, tw_home, monkeypatch) -> str:
    dbname = postgres_database.rsplit("/", 1)[1]
    monkeypatch.setenv("TRADEWIND_CONN_PG_OP", f"postgresql://postgres@127.0.0.1:5432/{dbname}")
    return "pg_op"


def test_a_single_query_returns_its_rows_as_lists(sqlite_conn):
    SQLExecuteQueryOperator(
        task_id="create",
        conn_id=sqlite_conn,
        sql=["CREATE TABLE t (a INT, b TEXT)", "INSERT INTO t VALUES (1, 'x'), (2, 'y')"],
    ).execute({})
    result = SQLExecuteQueryOperator(
        task_id="q", conn_id=sqlite_conn, sql="SELECT a, b FROM t ORDER BY a"
    ).execute({})
    assert result == [[1, "x"], [2, "y"]]


def test_a_list_of_queries_returns_one_result_per_query(sqlite_conn):
    result = SQLExecuteQueryOperator(
        task_id="q", conn_id=sqlite_conn, sql=["SELECT 1", "SELECT 2, 3"]
    ).execute({})
    assert result == [[[1]], [[2, 3]]]


def test_split_statements_with_return_last_false_returns_every_result(sqlite_conn):
    op = SQLExecuteQueryOperator(
        task_id="q",
        conn_id=sqlite_conn,
        sql="SELECT 1; SELECT 2",
        split_statements=True,
        return_last=False,
    )
    assert op.execute({}) == [[[1]], [[2]]]


def test_parameters_are_bound(sqlite_conn):
    op = SQLExecuteQueryOperator(
        task_id="q", conn_id=sqlite_conn, sql="SELECT ? || ?", parameters=("a", "b")
    )
    assert op.execute({}) == [["ab"]]


def test_do_xcom_push_false_returns_nothing(sqlite_conn):
    op = SQLExecuteQueryOperator(
        task_id="q", conn_id=sqlite_conn, sql="SELECT 1", do_xcom_push=False
    )
    assert op.execute({}) is None


def test_sql_is_templated_and_sql_files_are_a_template_extension():
    assert "sql" in SQLExecuteQueryOperator.template_fields
    assert ".sql" in SQLExecuteQueryOperator.template_ext


def test_a_connection_type_without_a_sql_hook_is_refused(tw_home, monkeypatch):
    monkeypatch.setenv("TRADEWIND_CONN_WEB", "http://example.com")
    with pytest.raises(TradewindError, match="type 'http', which has no SQL hook"):
        SQLExecuteQueryOperator(task_id="q", conn_id="web", sql="SELECT 1").execute({})


@pytest.mark.postgres
def test_postgres_operator_creates_a_table_and_returns_rows(pg_conn):
    table = f"users_{uuid.uuid4().hex[:8]}"
    PostgresOperator(
        task_id="create_table",
        postgres_conn_id=pg_conn,
        sql=f"CREATE TABLE IF NOT EXISTS {table} (firstname TEXT NOT NULL, n NUMERIC);",
    ).execute({})
    try:
        PostgresHook(pg_conn).insert_rows(table, [("ann", 1)])
        rows = PostgresOperator(
            task_id="read",
            postgres_conn_id=pg_conn,
            sql=f"SELECT firstname FROM {table} WHERE firstname = %(name)s",
            parameters={"name": "ann"},
        ).execute({})
        assert rows == [["ann"]]
    finally:
        PostgresHook(pg_conn).run(f"DROP TABLE {table}")


@pytest.mark.postgres
def test_postgres_operator_runtime_parameters_apply_to_the_session(pg_conn):
    rows = PostgresOperator(
        task_id="q",
        postgres_conn_id=pg_conn,
        sql="SHOW statement_timeout",
        runtime_parameters={"statement_timeout": "3000ms"},
    ).execute({})
    assert rows == [["3s"]]


def test_a_sql_file_is_rendered_as_a_template_and_its_rows_reach_xcom(
    sqlite_metastore, tmp_path, monkeypatch
):
    from datetime import UTC, datetime

    from tradewind import DAG
    from tradewind.metastore.xcoms import pull_xcom
    from tradewind.runtime.dag_test import run_dag_test

    monkeypatch.setenv("TRADEWIND_CONN_LITE", f"sqlite:///{tmp_path / 'lite.db'}")
    (tmp_path / "query.sql").write_text("SELECT '{{ ds }}' AS day, {{ params.n }} AS n")
    day = datetime(2024, 3, 4, tzinfo=UTC)
    with DAG("sql_file", start_date=day, schedule=None, template_searchpath=[str(tmp_path)]) as dag:
        SQLExecuteQueryOperator(task_id="q", conn_id="lite", sql="query.sql", params={"n": 7})
    result = run_dag_test(dag, logical_date=day, metastore=sqlite_metastore)
    assert result.state == "success"
    with sqlite_metastore.session() as session:
        assert pull_xcom(session, "sql_file", result.run_id, "q") == [["2024-03-04", 7]]


def test_sqlite_operator_runs_on_its_connection_and_returns_rows(sqlite_conn):
    from tradewind.operators.sqlite import SqliteOperator

    SqliteOperator(
        task_id="create",
        sqlite_conn_id=sqlite_conn,
        sql=["CREATE TABLE users (name TEXT)", "INSERT INTO users VALUES ('ann'), ('bo')"],
    ).execute({})
    rows = SqliteOperator(
        task_id="read",
        sqlite_conn_id=sqlite_conn,
        sql="SELECT name FROM users WHERE name <> ? ORDER BY name",
        parameters=("bo",),
    ).execute({})
    assert rows == [["ann"]]
