"""``tradewind dags test`` and ``dag.test()``: one DAG run, in this process, start to finish.

The DAG is synced to the metastore, a manual run is created, and then the same pieces as in
production take turns: ``run_progress.update_dagrun`` decides what is schedulable (trigger rules,
retries, mapping), each schedulable try is queued, claimed and run through ``run_try``, one at a
time, in priority order. Waiting for a retry delay sleeps until the earliest ``next_try_at``.
"""

from __future__ import annotations

import logging
import os
import socket
import time
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any, TextIO

from sqlalchemy import select

from tradewind.core.keys import TaskInstanceKey
from tradewind.core.states import DagRunState, TaskState
from tradewind.runtime.echo import STDOUT, echo_stream

if TYPE_CHECKING:
    from tradewind.config import Settings
    from tradewind.core.spec import DagSpec
    from tradewind.metastore.engine import Metastore

log = logging.getLogger(__name__)

#: longest single sleep while waiting for a retry or reschedule (the loop re-checks after)
MAX_SLEEP = 5.0
#: rounds with nothing schedulable and nothing to wait for before the run counts as stuck
STUCK_ROUNDS = 3


@dataclass
class TaskResult:
    task_id: str
    map_index: int
    state: str
    try_number: int
    duration: float | None
    start_date: datetime | None = None
    end_date: datetime | None = None


@dataclass
class DagTestResult:
    """The outcome of a test run (``state`` as a DagRun's)."""

    dag_id: str
    run_id: str
    state: str
    logical_date: datetime
    tasks: list[TaskResult] = field(default_factory=list)

    @property
    def failed(self) -> bool:
        return self.state != DagRunState.SUCCESS

    def get_task_instance(self, task_id: str, map_index: int = -1) -> TaskResult | None:
        for t in self.tasks:
            if t.task_id == task_id and t.map_index == map_index:
                return t
        return None

    def to_dict(self) -> dict[str, Any]:
        """The ``-o json`` shape of ``dags test``."""
        return {
            "dag_id": self.dag_id,
            "run_id": self.run_id,
            "state": self.state,
            "tasks": [
                {k: v for k, v in asdict(t).items() if k not in ("start_date", "end_date")}
                for t in self.tasks
            ],
        }


def run_dag_test(
    dag: Any,
    *,
    logical_date: datetime | None = None,
    conf: dict[str, Any] | None = None,
    run_id: str | None = None,
    metastore: Metastore | None = None,
    settings: Settings | None = None,
    source: str | None = None,
    echo: TextIO | None = STDOUT,
) -> DagTestResult:
    """Run one manual run of ``dag`` to completion in this process and return its result.

    An earlier run of the DAG at the same logical date (or with that run id) is replaced, as
    Airflow's ``dag.test()`` does. ``conf`` is validated against the DAG's params. ``echo``
    receives every try's log lines (the tasks' prints too) as they come: by default this
    process's stdout, as Airflow's ``dag.test()`` prints them; None prints nothing.
    """
    from tradewind.config import load_settings
    from tradewind.metastore import engine
    from tradewind.metastore.engine import Metastore, set_default_metastore

    echo = echo_stream(echo)
    settings = settings or load_settings()
    own_store = metastore is None
    previous_default = engine._default
    if metastore is None:
        metastore = Metastore.from_settings(settings)
        _ensure_schema(metastore, settings)
    set_default_metastore(metastore)
    try:
        logical_date = _aware(logical_date) if logical_date else datetime.now(UTC)
        _validate_conf(dag, conf)
        spec, run_id = _create_run(metastore, dag, settings, logical_date, conf, run_id, source)
        state = _loop(metastore, dag, spec, run_id, settings, echo)
        result = _result(metastore, spec, run_id, state, logical_date)
        _dag_callbacks(metastore, dag, spec, run_id, result)
        return result
    finally:
        set_default_metastore(previous_default)
        if own_store:
            metastore.dispose()


def _aware(value: datetime) -> datetime:
    return value if value.tzinfo is not None else value.replace(tzinfo=UTC)


def _ensure_schema(metastore: Metastore, settings: Settings) -> None:
    """A fresh TRADEWIND_HOME works with ``dag.test()`` straight away, as after ``db init``."""
    from sqlalchemy import inspect

    if inspect(metastore.engine).has_table("dag_run"):
        return
    from tradewind.metastore.db_admin import init

    for message in init(settings, metastore):
        log.info("%s", message)


def _validate_conf(dag: Any, conf: dict[str, Any] | None) -> None:
    params = getattr(dag, "params", None)
    if not params or not hasattr(params, "params"):
        return
    from tradewind.sdk.param import NOTSET

    for name, param in params.params().items():
        value = (conf or {}).get(name, NOTSET)
        param.resolve(value, name=name)


def _create_run(
    metastore: Metastore,
    dag: Any,
    settings: Settings,
    logical_date: datetime,
    conf: dict[str, Any] | None,
    run_id: str | None,
    source: str | None,
) -> tuple[DagSpec, str]:
    from tradewind.core.schedules import infer_manual_data_interval
    from tradewind.metastore.dag_rows import ParsedDag, upsert_dag
    from tradewind.metastore.dag_sync import serialize
    from tradewind.metastore.models import DagModel, DagRun
    from tradewind.metastore.runs import create_dagrun, delete_dag_runs, make_run_id

    spec = serialize(
        dag,
        default_timezone=settings.core.default_timezone,
        catchup_default=settings.scheduler.catchup_by_default,
    )
    if source is None:
        source = _read(spec.fileloc)
    run_id = run_id or make_run_id("manual", logical_date)
    interval = infer_manual_data_interval(spec, logical_date)
    now = datetime.now(UTC)
    with metastore.session() as session:
        upsert_dag(
            session,
            ParsedDag(spec, source),
            paused_at_creation=settings.core.dags_are_paused_at_creation,
            now=now,
        )
        version_id = session.get(DagModel, spec.dag_id).latest_version_id  # type: ignore[union-attr]
        old = session.execute(
            select(DagRun.run_id).where(
                DagRun.dag_id == spec.dag_id,
                (DagRun.run_id == run_id) | (DagRun.logical_date == logical_date),
            )
        ).scalars()
        delete_dag_runs(session, spec.dag_id, list(old))
        create_dagrun(
            session,
            spec,
            logical_date=logical_date,
            data_interval=(interval[0], interval[1]),
            run_id=run_id,
            run_type="manual",
            conf=conf,
            dag_version_id=version_id,
            external_trigger=False,  # as Airflow's dag.test() creates it
            triggered_by="test",
        )
    return spec, run_id


def _read(path: str) -> str:
    try:
        with open(path, encoding="utf-8") as handle:
            return handle.read()
    except OSError:
        return ""


def _loop(
    metastore: Metastore,
    dag: Any,
    spec: DagSpec,
    run_id: str,
    settings: Settings,
    echo: TextIO | None,
) -> str:
    from tradewind.metastore.models import DagRun
    from tradewind.metastore.run_progress import update_dagrun

    order = {task_id: i for i, task_id in enumerate(spec.task_ids)}
    hostname = settings.core.hostname or socket.getfqdn()
    idle = 0
    while True:
        now = datetime.now(UTC)
        with metastore.session() as session:
            run = session.execute(
                select(DagRun).where(DagRun.dag_id == spec.dag_id, DagRun.run_id == run_id)
            ).scalar_one()
            progress = update_dagrun(session, run, spec, now=now)
        run_state = str(progress.run_state)
        if run_state in (DagRunState.SUCCESS, DagRunState.FAILED):
            return run_state
        if progress.schedulable:
            idle = 0
            for key in _by_priority(metastore, progress.schedulable, order):
                _run_one(metastore, dag, key, settings, hostname, echo)
            continue
        if progress.next_check_at is not None:
            idle = 0
            wait = (progress.next_check_at - datetime.now(UTC)).total_seconds()
            time.sleep(min(max(wait, 0.01), MAX_SLEEP))
            continue
        if _running_elsewhere(metastore, spec.dag_id, run_id):
            idle = 0  # another process (a scheduler's executor) runs some of them: wait
            time.sleep(0.1)
            continue
        idle += 1
        if idle >= STUCK_ROUNDS:
            log.warning("DAG run %s of %s cannot make progress: stopping", run_id, spec.dag_id)
            return run_state
        time.sleep(0.05)


def _running_elsewhere(metastore: Metastore, dag_id: str, run_id: str) -> bool:
    from tradewind.metastore.models import TaskInstance

    with metastore.session() as session:
        return (
            session.execute(
                select(TaskInstance.task_id)
                .where(
                    TaskInstance.dag_id == dag_id,
                    TaskInstance.run_id == run_id,
                    TaskInstance.state.in_([TaskState.QUEUED.value, TaskState.RUNNING.value]),
                )
                .limit(1)
            ).first()
            is not None
        )


def _by_priority(
    metastore: Metastore, keys: list[TaskInstanceKey], order: dict[str, int]
) -> list[TaskInstanceKey]:
    from tradewind.metastore.models import TaskInstance
    from tradewind.metastore.transitions import ti_key_filter

    with metastore.session() as session:
        weights = {
            (r.task_id, r.map_index): r.priority_weight
            for r in session.execute(
                select(
                    TaskInstance.task_id, TaskInstance.map_index, TaskInstance.priority_weight
                ).where(ti_key_filter(keys))
            )
        }

    def rank(k: TaskInstanceKey) -> tuple[int, int, int]:
        return (-weights.get((k.task_id, k.map_index), 1), order.get(k.task_id, 0), k.map_index)

    return sorted(keys, key=rank)


def _run_one(
    metastore: Metastore,
    dag: Any,
    key: TaskInstanceKey,
    settings: Settings,
    hostname: str,
    echo: TextIO | None,
) -> None:
    from tradewind.metastore.models import TaskInstance
    from tradewind.metastore.transitions import set_task_state
    from tradewind.runtime.claim import claim_try
    from tradewind.runtime.run_try import run_try

    with metastore.session() as session:
        try_number = session.execute(
            select(TaskInstance.try_number).where(
                TaskInstance.dag_id == key.dag_id,
                TaskInstance.run_id == key.run_id,
                TaskInstance.task_id == key.task_id,
                TaskInstance.map_index == key.map_index,
            )
        ).scalar()
        if try_number is None:
            return
        try_key = key.with_try(try_number)
        queued = set_task_state(
            session,
            key,
            TaskState.QUEUED,
            expected=[TaskState.SCHEDULED],
            try_number=try_number,
            queued_at=datetime.now(UTC),
        )
        if not queued or not claim_try(session, try_key, hostname=hostname, pid=os.getpid()):
            return
    task = dag.get_task(key.task_id)
    run_try(metastore, task, try_key, settings=settings, hostname=hostname, echo=echo)


def _result(
    metastore: Metastore, spec: DagSpec, run_id: str, state: str, logical_date: datetime
) -> DagTestResult:
    from tradewind.metastore.models import TaskInstance

    order = {task_id: i for i, task_id in enumerate(spec.task_ids)}
    with metastore.session() as session:
        rows = session.execute(
            select(TaskInstance).where(
                TaskInstance.dag_id == spec.dag_id, TaskInstance.run_id == run_id
            )
        ).scalars()
        tasks = [
            TaskResult(
                task_id=r.task_id,
                map_index=r.map_index,
                state=r.state,
                try_number=r.try_number,
                duration=round(r.duration, 3) if r.duration is not None else None,
                start_date=r.start_date,
                end_date=r.end_date,
            )
            for r in rows
        ]
    tasks.sort(key=lambda t: (order.get(t.task_id, len(order)), t.map_index))
    return DagTestResult(spec.dag_id, run_id, state, logical_date, tasks)


def _dag_callbacks(
    metastore: Metastore, dag: Any, spec: DagSpec, run_id: str, result: DagTestResult
) -> None:
    if result.state not in (DagRunState.SUCCESS, DagRunState.FAILED):
        return
    if not (getattr(dag, "on_success_callback", None) or getattr(dag, "on_failure_callback", None)):
        return
    from tradewind.metastore.models import DagRun
    from tradewind.runtime.callbacks import run_dag_callbacks
    from tradewind.runtime.context import build_dag_run_context

    with metastore.session() as session:
        run = session.execute(
            select(DagRun).where(DagRun.dag_id == spec.dag_id, DagRun.run_id == run_id)
        ).scalar_one()
        session.expunge(run)
    success = result.state == DagRunState.SUCCESS
    context = build_dag_run_context(
        dag, run, reason="success" if success else "task_failure", metastore=metastore
    )
    run_dag_callbacks(dag, context, success)
