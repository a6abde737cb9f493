"""Server-side prepared statements on a pooled Postgres connection (psycopg2).

psycopg2 sends every statement as text, so Postgres parses and plans it on each execution. The
worker's claim and finish are the same two statements for every try, with data-modifying CTEs
that cost more to plan than to run: preparing them once per connection (``PREPARE``, then
``EXECUTE``) halves the server's CPU per try. A statement is prepared the second time a
connection runs it (a process that runs it once, such as a local executor's try, saves the
round trip). Each pooled connection remembers, in its pool record's ``info``, which statements
it ran and prepared; a replaced connection starts afresh.

Statements are written with psycopg2's named placeholders (``%(name)s``), the same text the
plain path executes; a parameter whose type Postgres cannot infer needs a cast in that text.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from typing import Any

_PLACEHOLDER = re.compile(r"%\((\w+)\)s")
#: the pool record's ``info`` keys holding the names a connection has run once, and prepared
_SEEN_KEY = "tw_run_once"
_PREPARED_KEY = "tw_prepared"
#: set on a connection whose server forgot its statements: it runs them as plain text
_PLAIN_KEY = "tw_plain_statements"


@dataclass(frozen=True)
class PreparedStatement:
    name: str
    #: the ``PREPARE`` command, with ``$n`` parameters
    prepare: str
    #: the ``EXECUTE`` command, with one positional placeholder per parameter
    execute: str
    #: parameter names, in ``$n`` order
    params: tuple[str, ...]


_cache: dict[str, PreparedStatement] = {}


def prepared(sql: str) -> PreparedStatement:
    """The prepared form of ``sql`` (built once per text; the name is derived from it).

    ``sql`` holds no ``%%`` and no placeholder inside a quoted literal: both mean something
    else in the plain text psycopg2 sends than in ``PREPARE``."""
    statement = _cache.get(sql)
    if statement is None:
        if "%%" in sql:
            raise ValueError("a prepared statement cannot hold %%")
        names: list[str] = []

        def number(match: re.Match[str]) -> str:
            if match.group(1) not in names:
                names.append(match.group(1))
            return f"${names.index(match.group(1)) + 1}"

        body = _PLACEHOLDER.sub(number, sql)
        name = "tw_" + hashlib.sha1(sql.encode()).hexdigest()[:16]
        placeholders = ", ".join(["%s"] * len(names))
        statement = _cache[sql] = PreparedStatement(
            name=name,
            prepare=f"PREPARE {name} AS {body}",
            execute=f"EXECUTE {name} ({placeholders})" if names else f"EXECUTE {name}",
            params=tuple(names),
        )
    return statement


def execute_prepared(connection: Any, sql: str, params: dict[str, Any]) -> Any:
    """Execute ``sql`` as a prepared statement on ``connection`` (a pool-proxied psycopg2
    connection, which has ``info``); returns the cursor, ready to fetch.

    It must be the first statement of its transaction. When the server does not keep the
    connection's statements (a transaction pooler such as PgBouncer in front of Postgres, or a
    ``DISCARD ALL``), that connection runs its statements as plain text from then on.
    """
    from psycopg2.errors import DuplicatePreparedStatement, InvalidSqlStatementName

    info = connection.info
    cursor = connection.cursor()
    if info.get(_PLAIN_KEY):
        cursor.execute(sql, params)
        return cursor
    statement = prepared(sql)
    done: set[str] = info.setdefault(_PREPARED_KEY, set())
    if statement.name not in done:
        seen: set[str] = info.setdefault(_SEEN_KEY, set())
        if statement.name not in seen:  # its first run on this connection: as plain text
            seen.add(statement.name)
            cursor.execute(sql, params)
            return cursor
    try:
        if statement.name not in done:
            cursor.execute(statement.prepare)
            done.add(statement.name)
        cursor.execute(statement.execute, [params[name] for name in statement.params])
    except (InvalidSqlStatementName, DuplicatePreparedStatement):
        connection.rollback()
        info[_PLAIN_KEY] = True
        done.clear()
        cursor = connection.cursor()
        cursor.execute(sql, params)
    return cursor
