"""SqliteHook and the DbApiHook behaviour shared by SQL hooks."""

from __future__ import annotations

import pytest

from tradewind.hooks import SqliteHook
from tradewind.hooks.dbapi import split_sql_string


@pytest.fixture
def hook(tw_home, tmp_path, monkeypatch) -> SqliteHook:
    monkeypatch.setenv("TRADEWIND_CONN_LOCAL", f"sqlite:///{tmp_path / 'data.db'}")
    hook = SqliteHook(sqlite_conn_id="local")
    hook.run("CREATE TABLE items (id INTEGER PRIMARY KEY, name TEXT)")
    return hook


def test_a_sqlite_uri_names_the_database_file(hook, tmp_path):
    hook.insert_rows("items", [(1, "a")], target_fields=["id", "name"])
    assert (tmp_path / "data.db").exists()
    assert hook.get_records("SELECT name FROM items") == [("a",)]


def test_the_host_of_a_field_connection_is_the_file_path(tw_home, tmp_path, monkeypatch):
    path = tmp_path / "other.db"
    monkeypatch.setenv("TRADEWIND_CONN_F", f'{{"conn_type": "sqlite", "host": "{path}"}}')
    SqliteHook(sqlite_conn_id="f").run("CREATE TABLE x (a INT)")
    assert path.exists()


def test_run_commits_so_other_connections_see_the_rows(hook):
    hook.run("INSERT INTO items VALUES (?, ?)", parameters=(1, "x"))
    assert SqliteHook(sqlite_conn_id="local").get_first("SELECT count(*) FROM items") == (1,)


def test_handler_results_follow_airflows_return_last_rule(hook):
    hook.insert_rows("items", [(1, "a"), (2, "b")])
    script = "SELECT 1; SELECT name FROM items ORDER BY id"
    last = hook.run(script, split_statements=True, handler=lambda c: c.fetchall())
    every = hook.run(
        script, split_statements=True, return_last=False, handler=lambda c: c.fetchall()
    )
    assert last == [("a",), ("b",)]
    assert every == [[(1,)], [("a",), ("b",)]]
    assert hook.run("SELECT 1") is None  # no handler: nothing returned


def test_an_empty_statement_list_is_refused(hook):
    with pytest.raises(ValueError, match="empty"):
        hook.run("   ")


def test_split_sql_string_respects_quotes_comments_and_dollar_quotes():
    script = """
    -- a comment; with a semicolon
    INSERT INTO t VALUES ('a;b', "c;d");
    /* block; comment */ SELECT 1;
    CREATE FUNCTION f() RETURNS int AS $$ SELECT 1; $$ LANGUAGE sql;
    ;
    """
    parts = split_sql_string(script)
    assert len(parts) == 3
    assert parts[0].endswith("""INSERT INTO t VALUES ('a;b', "c;d")""")
    assert parts[2].startswith("CREATE FUNCTION") and "$$ SELECT 1; $$" in parts[2]
