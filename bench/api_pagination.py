"""REST API pages over a big metastore: 1,000 DAGs and 1,000,000 task instances in Postgres.

    .venv/bin/python bench/api_pagination.py [--runs 7] [--keep]

Creates the database ``tw_bench`` (dropped first if it exists, and at the end unless
``--keep``), fills it with ``INSERT ... SELECT generate_series`` (1,000 DAGs with tags, 10 runs
each, 100 task instances per run, a mix of states, 100,000 finished tries for the fleet charts),
then times each request through the real app (Starlette TestClient, bearer-token auth) and
prints the median of ``--runs`` runs. The goal is well under a second per page.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
import warnings
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import create_engine, text  # noqa: E402

ADMIN_URL = os.environ.get(
    "TW_BENCH_PG_ADMIN", "postgresql+psycopg2://postgres@127.0.0.1:5432/postgres"
)
DB_NAME = "tw_bench"
DAGS, RUNS_PER_DAG, TASKS_PER_RUN = 1000, 10, 100

FILL = [
    """INSERT INTO dag (dag_id, fileloc, is_paused, is_active, owners, schedule_description,
           timezone, max_active_runs, max_active_tasks, has_import_errors, last_parsed_at)
       SELECT 'dag_' || lpad(d::text, 4, '0'), '/dags/dag_' || d || '.py', d % 3 = 0, true,
              'owner' || (d % 7), '@daily', 'UTC', 16, 16, false, now()
       FROM generate_series(0, :dags - 1) d""",
    """INSERT INTO dag_tag (dag_id, name)
       SELECT 'dag_' || lpad(d::text, 4, '0'), 'tag_' || (d % 20)
       FROM generate_series(0, :dags - 1) d""",
    """INSERT INTO dag_run (dag_id, run_id, logical_date, data_interval_start, data_interval_end,
           run_type, state, queued_at, start_date, end_date, conf, external_trigger)
       SELECT 'dag_' || lpad(d::text, 4, '0'),
              'scheduled__' || to_char(ts, 'YYYY-MM-DD"T"HH24:MI:SS') || '+00:00',
              ts, ts, ts + interval '1 day', 'scheduled',
              CASE WHEN r = :runs - 1 THEN 'running' WHEN r % 4 = 0 THEN 'failed'
                   ELSE 'success' END,
              ts, ts, ts + interval '1 hour', '{}', false
       FROM generate_series(0, :dags - 1) d, generate_series(0, :runs - 1) r,
            LATERAL (SELECT timestamptz '2024-01-01 00:00+00' + r * interval '1 day') AS t(ts)""",
    """INSERT INTO task_instance (dag_id, run_id, task_id, map_index, state, try_number,
           max_tries, operator, queue, pool, pool_slots, priority_weight, start_date, end_date,
           duration, queued_at, hostname)
       SELECT dr.dag_id, dr.run_id, 'task_' || lpad(t::text, 3, '0'), -1,
              CASE WHEN dr.state = 'running' AND t > 90 THEN 'queued'
                   WHEN dr.state = 'running' THEN 'success'
                   WHEN dr.state = 'failed' AND t = 50 THEN 'failed'
                   WHEN dr.state = 'failed' AND t > 50 THEN 'upstream_failed'
                   ELSE 'success' END,
              1, 0, 'EmptyOperator',
              CASE WHEN t % 10 = 0 THEN 'high_cpu' ELSE 'default' END,
              'default_pool', 1, 1, dr.start_date, dr.end_date, 1.5, dr.queued_at, 'worker-1'
       FROM dag_run dr, generate_series(0, :tasks - 1) t""",
    """INSERT INTO task_try (dag_id, run_id, task_id, map_index, try_number, state, queue,
           start_date, end_date, duration)
       SELECT 'dag_' || lpad((i % :dags)::text, 4, '0'), 'recent_' || (i / :dags),
              'task_' || lpad((i % 100)::text, 3, '0'), -1, 1,
              CASE WHEN i % 9 = 0 THEN 'failed' ELSE 'success' END, 'default',
              now() - (i % 1800) * interval '1 second' - interval '2 seconds',
              now() - (i % 1800) * interval '1 second', 2.0
       FROM generate_series(0, 99999) i""",
    """INSERT INTO slot_pool (pool, slots, description) VALUES ('default_pool', 128, 'Default')""",
]

REQUESTS = [
    "/api/v1/dags?limit=100",
    "/api/v1/dags?limit=100&offset=900",
    "/api/v1/dags?tags=tag_3&paused=false&limit=100",
    "/api/v1/dags?dag_id_pattern=dag_09&limit=100",
    "/api/v1/dags/~/dagRuns?limit=100&offset=9900",
    "/api/v1/dags/dag_0500/dagRuns?state=failed",
    "/api/v1/dags/~/dagRuns/~/taskInstances?limit=100",
    "/api/v1/dags/~/dagRuns/~/taskInstances?limit=100&offset=500000",
    "/api/v1/dags/~/dagRuns/~/taskInstances?limit=100&offset=999900",
    "/api/v1/dags/dag_0500/dagRuns/~/taskInstances?limit=100&offset=900",
    "/api/v1/dags/~/dagRuns/~/taskInstances?state=failed&limit=100&offset=200",
    "/api/v1/dags/~/dagRuns/~/taskInstances?state=queued&queue=high_cpu&limit=100",
    "/api/v1/queues",
    "/api/v1/fleet/stats?minutes=30",
    "/api/v1/pools",
    "/metrics",
]


def _db_url(name: str) -> str:
    return ADMIN_URL.rsplit("/", 1)[0] + "/" + name


def _drop(admin) -> None:
    with admin.connect() as conn:
        conn.execute(
            text(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                "WHERE datname = :n AND pid <> pg_backend_pid()"
            ),
            {"n": DB_NAME},
        )
        conn.execute(text(f'DROP DATABASE IF EXISTS "{DB_NAME}"'))


def populate(url: str) -> None:
    from tradewind.metastore.models import Base

    engine = create_engine(url)
    Base.metadata.create_all(engine)
    params = {"dags": DAGS, "runs": RUNS_PER_DAG, "tasks": TASKS_PER_RUN}
    with engine.begin() as conn:
        for statement in FILL:
            started = time.perf_counter()
            conn.execute(text(statement), params)
            print(f"  {statement.split()[2]:<14} {time.perf_counter() - started:6.1f} s")
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.execute(text("VACUUM ANALYZE"))
    with engine.connect() as conn:
        count = conn.execute(text("SELECT count(*) FROM task_instance")).scalar()
    print(f"  task_instance rows: {count:,}")
    engine.dispose()


def measure(url: str, runs: int) -> list[tuple[str, float, float, int]]:
    from tradewind.config import load_settings
    from tradewind.metastore.engine import Metastore
    from tradewind.metastore.users import create_api_token, create_user

    os.environ["TRADEWIND__DATABASE__URL"] = url
    os.environ.setdefault("TRADEWIND__CORE__SECRET_KEY", "bench")
    settings = load_settings()
    metastore = Metastore.from_settings(settings)
    with metastore.session() as session:
        create_user(session, "bench", email="b@x", role="Admin", password="bench-password")
        token = create_api_token(session, "bench", "bench")
    from dashboard.app import create_app

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        from starlette.testclient import TestClient

    client = TestClient(create_app(settings, metastore))
    client.headers["Authorization"] = f"Bearer {token}"
    results = []
    for path in REQUESTS:
        answer = client.get(path)  # warm-up (and a check)
        assert answer.status_code == 200, (path, answer.status_code, answer.text[:300])
        times = []
        for _ in range(runs):
            started = time.perf_counter()
            answer = client.get(path)
            times.append(time.perf_counter() - started)
        total = answer.json().get("total_entries", -1) if path.startswith("/api") else -1
        results.append((path, statistics.median(times) * 1000, max(times) * 1000, total))
    client.close()
    metastore.dispose()
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=7, help="timed runs per request")
    parser.add_argument("--keep", action="store_true", help="keep the tw_bench database")
    args = parser.parse_args()
    os.environ.setdefault("TRADEWIND_HOME", tempfile.mkdtemp(prefix="tw_bench_home_"))
    admin = create_engine(ADMIN_URL, isolation_level="AUTOCOMMIT")
    _drop(admin)
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{DB_NAME}"'))
    url = _db_url(DB_NAME)
    try:
        print(f"populating {DB_NAME}: {DAGS:,} DAGs, {DAGS * RUNS_PER_DAG * TASKS_PER_RUN:,} TIs")
        started = time.perf_counter()
        populate(url)
        print(f"  populated in {time.perf_counter() - started:.1f} s")
        print(f"\nmedian of {args.runs} runs per request (ms):")
        print(f"{'median':>8} {'max':>8} {'total':>10}  request")
        for path, median, worst, total in measure(url, args.runs):
            shown = f"{total:,}" if total >= 0 else "-"
            print(f"{median:8.1f} {worst:8.1f} {shown:>10}  GET {path}")
    finally:
        if not args.keep:
            _drop(admin)
        admin.dispose()


if __name__ == "__main__":
    main()
