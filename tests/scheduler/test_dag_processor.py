"""The DAG processor picks up new, changed, broken and deleted files without a restart."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from sqlalchemy import select

from scheduler.dag_processor import DagProcessor
from tradewind.core.spec import DagSpec
from tradewind.metastore.models import DagModel, DagVersion, ImportError_

SOURCE = """
from datetime import datetime
from tradewind import DAG
from tradewind.operators.empty import EmptyOperator

with DAG("proc_dag", start_date=datetime(2024, 1, 1), schedule=None):
    {tasks}
"""


def _write(path: Path, text: str) -> None:
    path.write_text(text)
    stamp = path.stat().st_mtime + 2  # a new mtime even within the filesystem's resolution
    os.utime(path, (stamp, stamp))


def _state(metastore: Any) -> tuple[Any, list[DagSpec], list[str]]:
    with metastore.session() as session:
        dag = session.get(DagModel, "proc_dag")
        versions = session.execute(
            select(DagVersion).where(DagVersion.dag_id == "proc_dag").order_by(DagVersion.id)
        ).scalars()
        specs = [DagSpec.from_json(v.spec_json) for v in versions]
        errors = list(session.execute(select(ImportError_.message)).scalars())
        if dag is not None:
            session.expunge(dag)
        return dag, specs, errors


def test_new_changed_broken_and_deleted_dag_files_are_followed(
    sched_settings: Any, metastore: Any
) -> None:
    path = Path(sched_settings.core.dags_folder) / "proc_dag.py"
    processor = DagProcessor(sched_settings, metastore)
    _write(path, SOURCE.format(tasks='EmptyOperator(task_id="a")'))
    processor.process()
    dag, specs, errors = _state(metastore)
    assert dag.is_active and [s.task_ids for s in specs] == [("a",)] and errors == []

    _write(path, SOURCE.format(tasks='EmptyOperator(task_id="a") >> EmptyOperator(task_id="b")'))
    processor.process()
    dag, specs, errors = _state(metastore)
    assert [set(s.task_ids) for s in specs] == [{"a"}, {"a", "b"}]
    good_version = dag.latest_version_id

    _write(path, SOURCE.format(tasks="EmptyOperator(task_id=") + "\n")
    processor.process()
    dag, specs, errors = _state(metastore)
    assert dag.is_active and dag.latest_version_id == good_version
    assert len(errors) == 1 and "SyntaxError" in errors[0]

    path.unlink()
    processor.process()
    dag, _, errors = _state(metastore)
    assert not dag.is_active
    assert errors == []


def test_the_scheduler_loop_parses_on_its_interval(harness: Any, monkeypatch: Any) -> None:
    harness.settings.scheduler.dag_dir_list_interval = 0.0
    sched = harness.scheduler()
    sched.run_once()
    assert harness.runs("sched_chain") == []
    harness.copy_dags("sched_chain.py")
    sched.run_once()
    harness.trigger("sched_chain")
    harness.run_until(sched, lambda: harness.all_runs_done("sched_chain"))
    assert [r.state for r in harness.runs("sched_chain")] == ["success"]
