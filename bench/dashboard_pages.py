"""The dashboard's HTML pages over the same big metastore as ``bench/api_pagination.py``:
1,000 DAGs (each with a 100-task serialized version) and 1,000,000 task instances in Postgres.

    .venv/bin/python bench/dashboard_pages.py [--runs 5] [--keep] [--reuse]

Fills ``tw_bench`` the way ``api_pagination.py`` does (``--reuse`` keeps an existing, already
filled ``tw_bench``, e.g. from ``api_pagination.py --keep``), adds a DAG version per DAG, then
logs in through the login form and times each page through the real app (Starlette
TestClient), printing the median of ``--runs`` runs. No page may load a whole table.
"""

from __future__ import annotations

import argparse
import os
import re
import statistics
import sys
import tempfile
import time
import warnings
from datetime import datetime
from pathlib import Path
from urllib.parse import quote

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

import api_pagination as filled  # noqa: E402
from sqlalchemy import create_engine, text  # noqa: E402

RUN = quote("scheduled__2024-01-05T00:00:00+00:00", safe="")
PAGES = [
    "/",
    "/?offset=975",
    "/?tag=tag_3",
    "/?search=dag_09",
    "/dags/dag_0500",
    "/dags/dag_0500?offset=5&runs=5",
    "/dags/dag_0500/graph",
    f"/dags/dag_0500/gantt?run_id={RUN}",
    "/dags/dag_0500/calendar",
    "/dags/dag_0500/duration",
    "/dags/dag_0500/landing",
    "/dags/dag_0500/code",
    "/dags/dag_0500/details",
    f"/dags/dag_0500/runs/{RUN}",
    f"/dags/dag_0500/runs/{RUN}/tasks/task_050",
    "/browse/runs",
    "/browse/runs?offset=9900",
    "/browse/runs?state=failed",
    "/browse/task-instances",
    "/browse/task-instances?offset=500000",
    "/browse/task-instances?offset=999950",
    "/browse/task-instances?state=failed",
    "/browse/task-instances?dag_id=dag_0500",
    "/browse/xcoms",
    "/admin/pools",
    "/fleet",
    "/fleet/data.json",
]


def _spec_json() -> str:
    """A 100-task DAG (ten groups of a ten-task chain) as DagSpec JSON, dag_id ``__DAG__``."""
    from tradewind import DAG, TaskGroup
    from tradewind.operators.empty import EmptyOperator
    from tradewind.parsing.serialize import serialize_dag

    with DAG("__DAG__", schedule="@daily", start_date=datetime(2024, 1, 1)) as dag:
        previous = None
        for g in range(10):
            with TaskGroup(f"group_{g}"):
                for t in range(10):
                    task = EmptyOperator(task_id=f"t_{g * 10 + t:03d}")
                    if previous is not None:
                        previous >> task
                    previous = task
    spec = serialize_dag(dag).to_json()
    # the filled task instances are named task_000..task_099, outside any group
    return re.sub(r'"(?:group_\d\.)?t_(\d{3})"', r'"task_\1"', spec)


def add_versions(url: str) -> None:
    engine = create_engine(url)
    with engine.begin() as conn:
        conn.execute(text("DELETE FROM dag_version"))
        conn.execute(
            text(
                """INSERT INTO dag_version (dag_id, version_hash, version_number, fileloc,
                       source_code, spec_json, created_at)
                   SELECT dag_id, md5(dag_id), 1, fileloc, '# the DAG file of ' || dag_id,
                          replace(:spec, '__DAG__', dag_id), now()
                   FROM dag"""
            ),
            {"spec": _spec_json()},
        )
        conn.execute(
            text(
                """UPDATE dag SET latest_version_id = v.id,
                       next_dagrun = timestamptz '2024-01-11 00:00+00',
                       next_dagrun_data_interval_start = timestamptz '2024-01-11 00:00+00',
                       next_dagrun_data_interval_end = timestamptz '2024-01-12 00:00+00'
                   FROM dag_version v WHERE v.dag_id = dag.dag_id"""
            )
        )
        conn.execute(
            text(
                "UPDATE dag_run SET dag_version_id = v.id FROM dag_version v "
                "WHERE v.dag_id = dag_run.dag_id"
            )
        )
    engine.dispose()


def _log_in(client, username: str, password: str) -> None:
    html = client.get("/login").text
    token = re.search(r'name="csrf_token" value="([^"]+)"', html).group(1)
    answer = client.post(
        "/login", data={"username": username, "password": password, "csrf_token": token}
    )
    assert answer.status_code == 303, answer.text[:300]


def measure(url: str, runs: int) -> list[tuple[str, float, float, int]]:
    from tradewind.config import load_settings
    from tradewind.metastore.engine import Metastore
    from tradewind.metastore.models import User
    from tradewind.metastore.users import create_user

    os.environ["TRADEWIND__DATABASE__URL"] = url
    os.environ.setdefault("TRADEWIND__CORE__SECRET_KEY", "bench")
    settings = load_settings()
    metastore = Metastore.from_settings(settings)
    with metastore.session() as session:
        session.query(User).filter(User.username == "bench-pages").delete()
        create_user(session, "bench-pages", email="p@x", role="Admin", password="bench-pages")
    from dashboard.app import create_app

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        from starlette.testclient import TestClient

    client = TestClient(create_app(settings, metastore), follow_redirects=False)
    _log_in(client, "bench-pages", "bench-pages")
    results = []
    for path in PAGES:
        answer = client.get(path)  # warm-up (and a check)
        assert answer.status_code == 200, (path, answer.status_code, answer.text[:300])
        times = []
        for _ in range(runs):
            started = time.perf_counter()
            answer = client.get(path)
            times.append(time.perf_counter() - started)
        results.append(
            (path, statistics.median(times) * 1000, max(times) * 1000, len(answer.content))
        )
    client.close()
    metastore.dispose()
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5, help="timed runs per page")
    parser.add_argument("--keep", action="store_true", help="keep the tw_bench database")
    parser.add_argument("--reuse", action="store_true", help="use an existing filled tw_bench")
    args = parser.parse_args()
    os.environ.setdefault("TRADEWIND_HOME", tempfile.mkdtemp(prefix="tw_bench_home_"))
    admin = create_engine(filled.ADMIN_URL, isolation_level="AUTOCOMMIT")
    url = filled._db_url(filled.DB_NAME)
    with admin.connect() as conn:
        exists = conn.execute(
            text("SELECT 1 FROM pg_database WHERE datname = :n"), {"n": filled.DB_NAME}
        ).scalar()
    try:
        if not (args.reuse and exists):
            filled._drop(admin)
            with admin.connect() as conn:
                conn.execute(text(f'CREATE DATABASE "{filled.DB_NAME}"'))
            print(f"populating {filled.DB_NAME}")
            filled.populate(url)
        started = time.perf_counter()
        add_versions(url)
        print(f"  DAG versions added in {time.perf_counter() - started:.1f} s")
        print(f"\nmedian of {args.runs} runs per page (ms):")
        print(f"{'median':>8} {'max':>8} {'bytes':>9}  page")
        for path, median, worst, size in measure(url, args.runs):
            print(f"{median:8.1f} {worst:8.1f} {size:>9,}  GET {path}")
    finally:
        if not args.keep:
            filled._drop(admin)
        admin.dispose()


if __name__ == "__main__":
    main()
