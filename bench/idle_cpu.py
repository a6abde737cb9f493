"""Idle cost: a `tradewind scheduler` process over 100 paused DAGs, CPU measured from
/proc/<pid>/stat (utime + stime of the scheduler and its children) over 30 s. Usage:

    .venv/bin/python bench/idle_cpu.py [--seconds 30] [--dags 100] [--db-url ...]
"""

from __future__ import annotations

import argparse
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _harness import make_home  # noqa: E402

DAGS = """
from datetime import datetime
from tradewind import DAG
from tradewind.operators.empty import EmptyOperator

for i in range({count}):
    with DAG(f"idle_{{i:03d}}", start_date=datetime(2024, 1, 1), schedule="@hourly",
             is_paused_upon_creation=True):
        EmptyOperator(task_id="only")
"""


def _cpu_seconds(pid: int) -> float:
    """utime + stime of the process and its waited-for children, in seconds."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    ticks = sum(int(fields[i]) for i in (11, 12, 13, 14))
    return ticks / os.sysconf("SC_CLK_TCK")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=30.0)
    parser.add_argument("--dags", type=int, default=100)
    parser.add_argument("--db-url", default=None)
    args = parser.parse_args()
    settings, metastore = make_home(DAGS.format(count=args.dags), db_url=args.db_url)
    env = dict(os.environ, TRADEWIND__DATABASE__URL=settings.database.url)
    proc = subprocess.Popen(
        [sys.executable, "-m", "tradewind.cli.main", "scheduler"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        time.sleep(10)  # start-up and the first parse are not idle time
        before, started = _cpu_seconds(proc.pid), time.monotonic()
        time.sleep(args.seconds)
        used, wall = _cpu_seconds(proc.pid) - before, time.monotonic() - started
    finally:
        proc.send_signal(signal.SIGTERM)
        proc.wait(timeout=60)
    print(
        f"dialect {metastore.dialect}: {args.dags} paused DAGs, scheduler CPU {used:.2f} s over "
        f"{wall:.0f} s = {100 * used / wall:.2f}% of one core"
    )


if __name__ == "__main__":
    main()
