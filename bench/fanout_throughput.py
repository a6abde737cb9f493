"""Throughput: 1,000 no-op tasks fanned out in one run, end to end on the local executor.

Reports tasks per second from the trigger to the run's end. Usage:

    .venv/bin/python bench/fanout_throughput.py [--tasks 1000] [--db-url postgresql+psycopg2://...]
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _harness import build_scheduler, make_home, run_state, tries, trigger  # noqa: E402

DAG = """
from datetime import datetime
from tradewind import DAG
from tradewind.operators.python import PythonOperator

def _noop():
    return None

with DAG("bench_fanout", start_date=datetime(2024, 1, 1), schedule=None,
         max_active_tasks={tasks}):
    for i in range({tasks}):
        PythonOperator(task_id=f"t{{i:04d}}", python_callable=_noop)
"""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tasks", type=int, default=1000)
    parser.add_argument("--parallelism", type=int, default=8)
    parser.add_argument("--db-url", default=None)
    args = parser.parse_args()
    settings, metastore = make_home(
        DAG.format(tasks=args.tasks),
        db_url=args.db_url,
        TRADEWIND__SCHEDULER__PARALLELISM=str(args.parallelism),
    )
    sched = build_scheduler(settings, metastore)
    sched.run_once()
    try:
        started = time.monotonic()
        run_id = trigger(metastore, "bench_fanout")
        done = sched.run(
            until=lambda: run_state(metastore, "bench_fanout", run_id) in ("success", "failed"),
            timeout=600,
        )
        elapsed = time.monotonic() - started
        assert done, "the run did not finish"
    finally:
        sched.shutdown()
    rows = tries(metastore, "bench_fanout", run_id)
    ok = sum(1 for r in rows if r.state == "success")
    print(
        f"dialect {metastore.dialect}, parallelism {args.parallelism}: {ok}/{args.tasks} tasks "
        f"succeeded in {elapsed:.1f} s = {ok / elapsed:.1f} tasks/s end to end "
        f"({sched.iterations} loop iterations)"
    )


if __name__ == "__main__":
    main()
