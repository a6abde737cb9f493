"""Broker fleet benchmark: one command, RabbitMQ + Postgres on 127.0.0.1.

    .venv/bin/python bench/broker_throughput.py [--tasks 1000] [--chain 20] [--rounds 5]

Prints:
1. the ceiling: a no-op dramatiq actor on RabbitMQ (one in-process dramatiq worker, 8 threads);
2. Tradewind end to end: 1,000 no-op tasks fanned out, one `tradewind scheduler` (broker
   executor) and 2 `tradewind worker` processes (default concurrency: 16 each), as tasks/s and
   as a ratio to the ceiling: the trigger to the run's end, on a warm fleet (a first run of the
   same DAG, whose figure is printed too, imported it in the workers and forked their try
   processes);
   the two are measured in ``--rounds`` rounds, the ceiling right before each run, and each
   round's ratio is of its own pair: the speed of a shared machine drifts by a fifth within a
   minute, so a ratio of two figures taken a minute apart says more about the drift than about
   Tradewind. The medians are printed, with every round;
3. the median per-hop latency of a chain of no-op tasks (one try's end to the next one's start);
4. an idle worker's resident memory.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "bench"))

import _cpu  # noqa: E402

AMQP = "amqp://guest:guest@127.0.0.1:5672/"
PG_ADMIN = "postgresql+psycopg2://postgres@127.0.0.1:5432/postgres"

DAG = """
from datetime import datetime
from tradewind.sdk.dag import DAG
from tradewind.operators.python import PythonOperator

def noop():
    return None

with DAG("bench_fan", start_date=datetime(2024, 1, 1), schedule=None, catchup=False,
         max_active_tasks={tasks}):
    for i in range({tasks}):
        PythonOperator(task_id=f"t{{i}}", python_callable=noop)

with DAG("bench_chain", start_date=datetime(2024, 1, 1), schedule=None, catchup=False):
    previous = None
    for i in range({chain}):
        task = PythonOperator(task_id=f"c{{i:02d}}", python_callable=noop)
        if previous is not None:
            previous >> task
        previous = task
"""


def ceiling(messages: int = 5000) -> float:
    import dramatiq
    from dramatiq import Worker
    from dramatiq.brokers.rabbitmq import RabbitmqBroker

    broker = RabbitmqBroker(url=AMQP, middleware=[])
    queue = f"bench_ceiling_{uuid.uuid4().hex[:6]}"
    done = threading.Semaphore(0)

    @dramatiq.actor(queue_name=queue, broker=broker)
    def noop() -> None:
        done.release()

    for _ in range(messages):
        noop.send()
    worker = Worker(broker, worker_threads=8)
    started = time.perf_counter()
    worker.start()
    for _ in range(messages):
        done.acquire()
    elapsed = time.perf_counter() - started
    worker.stop()
    broker.channel.queue_delete(queue)
    for suffix in (".DQ", ".XQ"):
        broker.channel.queue_delete(queue + suffix)
    broker.close()
    return messages / elapsed


def _database() -> tuple[str, str]:
    from sqlalchemy import create_engine, text

    name = f"tw_bench_{uuid.uuid4().hex[:6]}"
    admin = create_engine(PG_ADMIN, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    url = PG_ADMIN.rsplit("/", 1)[0] + "/" + name
    from tradewind.metastore.models import Base

    engine = create_engine(url)
    Base.metadata.create_all(engine)
    with engine.begin() as conn:
        conn.execute(text("INSERT INTO slot_pool (pool, slots) VALUES ('default_pool', 100000)"))
    engine.dispose()
    return name, url


def _drop(name: str) -> None:
    from sqlalchemy import create_engine, text

    admin = create_engine(PG_ADMIN, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(
            text(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                "WHERE datname = :n AND pid <> pg_backend_pid()"
            ),
            {"n": name},
        )
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}"'))
    admin.dispose()


def _delete_queues(queue: str) -> None:
    import pika

    connection = pika.BlockingConnection(pika.URLParameters(AMQP))
    channel = connection.channel()
    for name in (queue, queue + ".DQ", queue + ".XQ"):
        channel.queue_delete(name)
    connection.close()


def _rss_kb(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    return 0


def fleet(tasks: int, chain: int, rounds: int) -> dict[str, Any]:
    from sqlalchemy import select

    from tradewind.metastore.engine import Metastore
    from tradewind.metastore.models import DagModel, DagRun, TaskTry
    from tradewind.metastore.runs import trigger_dag
    from tradewind.metastore.wakeup import notify_scheduler

    db_name, url = _database()
    home = Path(tempfile.mkdtemp(prefix="tw_bench_"))
    (home / "dags").mkdir()
    (home / "dags" / "bench.py").write_text(DAG.format(tasks=tasks, chain=chain))
    env = {k: v for k, v in os.environ.items() if not k.startswith("TRADEWIND")}
    env.update(
        TRADEWIND_HOME=str(home),
        TRADEWIND__DATABASE__URL=url,
        TRADEWIND__BROKER__URL=AMQP,
        TRADEWIND__BROKER__QUEUE_PREFIX=f"bench{uuid.uuid4().hex[:6]}.",
        TRADEWIND__SCHEDULER__EXECUTOR="broker",
        TRADEWIND__SCHEDULER__PARALLELISM=str(tasks),
        TRADEWIND__SCHEDULER__DAG_DIR_LIST_INTERVAL="5",
        TRADEWIND__CORE__DAGS_ARE_PAUSED_AT_CREATION="false",
        TRADEWIND__CORE__SECRET_KEY="bench",
        TRADEWIND__WORKER__LOG_SERVER_PORT="0",
        TRADEWIND__LOGGING__LEVEL="WARNING",
    )
    cmd = [sys.executable, "-m", "tradewind.cli.main"]
    out = open(home / "fleet.out", "wb")  # noqa: SIM115 (held by the child processes)
    procs = [subprocess.Popen([*cmd, "scheduler"], env=env, stdout=out, stderr=out)]
    workers = [
        subprocess.Popen(
            [*cmd, "worker", "-q", "default", "--hostname", f"bench-w{i}"],
            env=env,
            stdout=out,
            stderr=out,
        )
        for i in (1, 2)
    ]
    procs += workers
    store = Metastore(url)
    results: dict[str, float] = {}
    try:
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            with store.session() as s:
                if s.get(DagModel, "bench_fan") and s.get(DagModel, "bench_chain"):
                    break
            time.sleep(0.2)
        time.sleep(3)  # workers up and idle
        results["idle_worker_rss_mb"] = _rss_kb(workers[0].pid) / 1024

        def run(dag_id: str) -> tuple[str, float]:
            """Trigger a run and wait for its end; the seconds from the trigger to the end the
            scheduler recorded (polling here would add up to its interval)."""
            triggered = datetime.now(UTC)
            started = time.perf_counter()
            with store.session() as s:
                run_id = trigger_dag(s, dag_id).run_id
                notify_scheduler(s)
            while True:
                with store.session() as s:
                    state, end_date = s.execute(
                        select(DagRun.state, DagRun.end_date).where(
                            DagRun.dag_id == dag_id, DagRun.run_id == run_id
                        )
                    ).one()
                if state in ("success", "failed"):
                    return run_id, (end_date - triggered).total_seconds()
                if time.perf_counter() - started > 600:
                    raise RuntimeError(f"{dag_id} did not finish; see {home / 'fleet.out'}")
                time.sleep(0.05)

        roles = {procs[0].pid: "scheduler", **{w.pid: "worker" for w in workers}}
        # the first run imports the DAG file in each worker and forks its try processes; the
        # throughput is that of the second, on a warm fleet (as after any earlier run)
        _, cold = run("bench_fan")
        results["cold_tasks_per_s"] = tasks / cold
        rows: list[tuple[float, float]] = []  # (ceiling msg/s, tasks/s) of each round
        cpu: Counter[str] = Counter()  # of the fan-out runs only, not of the ceiling's
        for _ in range(rounds):
            raw = ceiling()
            cpu_before = _cpu.snapshot(roles)
            fan_run, elapsed = run("bench_fan")
            cpu.update(_cpu.per_task_ms(cpu_before, _cpu.snapshot(roles), tasks * rounds))
            rows.append((raw, tasks / elapsed))
        results["cpu_ms_per_task"] = dict(cpu.most_common())
        results["rounds"] = rows
        with store.session() as s:
            fan = list(
                s.execute(
                    select(TaskTry).where(TaskTry.dag_id == "bench_fan", TaskTry.run_id == fan_run)
                ).scalars()
            )
        results["fan_try_median_ms"] = statistics.median(
            (t.end_date - t.start_date).total_seconds() * 1000 for t in fan
        )
        run_id, _ = run("bench_chain")
        with store.session() as s:
            tries = s.execute(
                select(TaskTry).where(TaskTry.dag_id == "bench_chain", TaskTry.run_id == run_id)
            ).scalars()
            ordered = sorted(tries, key=lambda t: t.task_id)
        hops = [
            (b.start_date - a.end_date).total_seconds() * 1000
            for a, b in zip(ordered, ordered[1:], strict=False)
        ]
        results["chain_hop_median_ms"] = statistics.median(hops)
    finally:
        for proc in procs:
            proc.terminate()
        for proc in procs:
            try:
                proc.wait(20)
            except subprocess.TimeoutExpired:
                proc.kill()
        store.dispose()
        _drop(db_name)
        _delete_queues(env["TRADEWIND__BROKER__QUEUE_PREFIX"] + "default")
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tasks", type=int, default=1000)
    parser.add_argument("--chain", type=int, default=20)
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    res = fleet(args.tasks, args.chain, args.rounds)
    rows = res["rounds"]
    raw = statistics.median(r[0] for r in rows)
    tw = statistics.median(r[1] for r in rows)
    ratio = statistics.median(r[1] / r[0] for r in rows)
    for i, (c, t) in enumerate(rows, 1):
        print(f"  round {i}: ceiling {c:7.1f} msg/s, tradewind {t:6.1f} tasks/s, {t / c:6.1%}")
    print(f"ceiling: no-op dramatiq actor on RabbitMQ      {raw:8.1f} msg/s  (median)")
    print(f"tradewind: {args.tasks} no-op tasks, 2 workers -c 16{tw:8.1f} tasks/s (median)")
    print(f"  (the first run, on workers that had not run the DAG: {res['cold_tasks_per_s']:.1f})")
    print(f"ratio to the ceiling (median of the rounds)  {ratio:8.1%}   (goal >= 25%)")
    print(
        f"chain of {args.chain}: median per-hop latency      "
        f"{res['chain_hop_median_ms']:8.1f} ms  (goal < 30 ms)"
    )
    print(f"median duration of one no-op try (claim to end) {res['fan_try_median_ms']:8.1f} ms")
    print(f"idle worker RSS                              {res['idle_worker_rss_mb']:8.1f} MB")
    cpu = res["cpu_ms_per_task"]
    shares = ", ".join(f"{role} {ms:.1f}" for role, ms in cpu.items())
    print(f"CPU per task in the fan-out: {sum(cpu.values()):.1f} ms ({shares})")


if __name__ == "__main__":
    main()
