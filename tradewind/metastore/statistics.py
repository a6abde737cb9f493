"""Keeping Postgres's planner statistics of ``task_instance`` in step with a sudden growth.

The compare-and-set statements of a try name the full primary key and a state. On a table the
planner has no statistics for (new, or grown far past its last ``ANALYZE``), it cannot tell
that the primary key finds one row while the ``state`` index finds every queued row, and may pick
the latter: every claim then reads all the queued rows of a 1,000-task run. Autovacuum
analyzes the table within a minute or so; a run that large should not wait for it. After a run
with many instances starts, :func:`refresh_if_stale` runs ``ANALYZE task_instance`` when the
table has grown well past the size its statistics were taken at (a cheap sampled pass that
blocks neither reads nor writes).
"""

from __future__ import annotations

import logging

from sqlalchemy import text

from tradewind.metastore.engine import Metastore

log = logging.getLogger(__name__)
#: runs that start with fewer instances than this never trigger a look
MIN_NEW_ROWS = 200
#: analyze when the table grew by more than this fraction (and a few pages) since the last time
STALE_FRACTION = 0.2
STALE_MIN_PAGES = 8


def refresh_if_stale(metastore: Metastore, new_rows: int) -> bool:
    """``ANALYZE task_instance`` (Postgres only) when ``new_rows`` make its statistics stale."""
    if new_rows < MIN_NEW_ROWS or metastore.engine.dialect.name != "postgresql":
        return False
    with metastore.engine.connect() as conn:
        analyzed_pages, pages = conn.execute(
            text(
                "SELECT relpages, pg_relation_size(oid) / current_setting('block_size')::int "
                "FROM pg_class WHERE oid = 'task_instance'::regclass"
            )
        ).one()
        if pages <= analyzed_pages * (1 + STALE_FRACTION) + STALE_MIN_PAGES:
            return False
        conn.execute(text("ANALYZE task_instance"))
        conn.commit()
    log.info("refreshed the planner statistics of task_instance (%d new rows)", new_rows)
    return True
