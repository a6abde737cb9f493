"""A DAG scheduled on two datasets runs once both have been updated."""

from __future__ import annotations

from typing import Any


def test_the_consumer_runs_only_after_both_of_its_datasets_were_updated(harness: Any) -> None:
    harness.copy_dags("sched_datasets.py")
    sched = harness.scheduler()
    sched.run_once()
    harness.trigger("sched_produce_orders")
    harness.run_until(sched, lambda: harness.all_runs_done("sched_produce_orders"))
    sched.run(max_iterations=3)
    assert harness.runs("sched_consume") == []

    harness.trigger("sched_produce_customers")
    harness.run_until(sched, lambda: harness.all_runs_done("sched_consume"))
    (run,) = harness.runs("sched_consume")
    assert run.run_type == "dataset_triggered"
    assert run.state == "success"
    sched.run(max_iterations=3)
    assert len(harness.runs("sched_consume")) == 1


def test_the_seed_producer_triggers_the_seed_consumer_through_its_dataset(harness: Any) -> None:
    import shutil
    from pathlib import Path

    repo_dags = Path(__file__).resolve().parents[2] / "dags"
    folder = Path(harness.settings.core.dags_folder)
    folder.mkdir(parents=True, exist_ok=True)
    for name in ("dataset_producer.py", "dataset_consumer.py"):
        shutil.copy(repo_dags / name, folder / name)
    sched = harness.scheduler()
    sched.run_once()
    assert harness.runs("consumer") == []  # nothing produced yet
    harness.run_until(sched, lambda: harness.all_runs_done("consumer"), timeout=60)
    (produced,) = harness.runs("producer")
    assert (produced.run_type, produced.state) == ("scheduled", "success")
    (consumed,) = harness.runs("consumer")
    assert (consumed.run_type, consumed.state) == ("dataset_triggered", "success")
