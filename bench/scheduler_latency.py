"""Hop latency: a chain of 20 no-op PythonOperator tasks on the local executor.

For each run, the gap between one task's end and the next task's start (from ``task_try``); the
median over all hops of all runs is reported. Usage:

    .venv/bin/python bench/scheduler_latency.py [--runs 5] [--db-url postgresql+psycopg2://...]
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _harness import (  # noqa: E402
    build_scheduler,
    make_home,
    median_ms,
    queued_at,
    run_state,
    tries,
    trigger,
)

DAG = """
from datetime import datetime
from tradewind import DAG
from tradewind.operators.python import PythonOperator

def _noop():
    return None

with DAG("bench_chain", start_date=datetime(2024, 1, 1), schedule=None):
    previous = None
    for i in range(20):
        task = PythonOperator(task_id=f"t{i:02d}", python_callable=_noop)
        if previous is not None:
            previous >> task
        previous = task
"""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--db-url", default=None)
    args = parser.parse_args()
    settings, metastore = make_home(DAG, db_url=args.db_url)
    sched = build_scheduler(settings, metastore)
    sched.run_once()
    gaps: list[float] = []
    to_queue: list[float] = []
    to_start: list[float] = []
    per_run: list[float] = []
    try:
        for _ in range(args.runs):
            run_id = trigger(metastore, "bench_chain")
            started = time.monotonic()
            done = sched.run(
                until=lambda rid=run_id: (
                    run_state(metastore, "bench_chain", rid) in ("success", "failed")
                ),
                timeout=120,
            )
            assert done, "the run did not finish"
            rows = tries(metastore, "bench_chain", run_id)
            run_gaps = [
                (b.start_date - a.end_date).total_seconds()
                for a, b in zip(rows, rows[1:], strict=False)
            ]
            queued = queued_at(metastore, "bench_chain", run_id)
            for a, b in zip(rows, rows[1:], strict=False):
                to_queue.append((queued[b.task_id] - a.end_date).total_seconds())
                to_start.append((b.start_date - queued[b.task_id]).total_seconds())
            gaps.extend(run_gaps)
            per_run.append(median_ms(run_gaps))
            print(
                f"run {run_id}: {len(rows)} tries, median hop {per_run[-1]:.1f} ms, "
                f"wall {time.monotonic() - started:.2f} s"
            )
    finally:
        sched.shutdown()
    print(
        f"dialect {metastore.dialect}: median end->next-start gap over {len(gaps)} hops: "
        f"{median_ms(gaps):.1f} ms (per-run medians: "
        + ", ".join(f"{v:.1f}" for v in per_run)
        + ")"
    )
    print(
        f"  of which end -> queued (scheduler loop): {median_ms(to_queue):.1f} ms, "
        f"queued -> start (executor, claim): {median_ms(to_start):.1f} ms"
    )


if __name__ == "__main__":
    main()
