"""The context of a try: what templates see and what ``execute(context)`` receives.

Airflow's names: ``ds``, ``ts``, ``logical_date``, ``data_interval_start``, ``ti``, ``params``,
``var``, ``conn``, ``conf``, ``macros``... Dates are pendulum ``DateTime`` objects in UTC
(``context_dates``); ``conf`` is the configuration (``conf.get("core", "dags_folder")``), the
run's conf being ``dag_run.conf`` and, merged into the DAG's, ``params``. Entries that cost a
query (``prev_*_success``, ``triggering_dataset_events``, ``expanded_ti_count``) are computed on
first use, as are the events ``inlet_events`` lists (``tradewind.runtime.dataset_events``).
"""

from __future__ import annotations

import contextvars
from collections.abc import Callable, Iterator, Mapping, MutableMapping
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from tradewind.core.keys import TryKey
from tradewind.runtime.context_dates import date_entries, pendulum_run_dates, to_pendulum

if TYPE_CHECKING:
    from tradewind.metastore.engine import Metastore


class Context(MutableMapping[str, Any]):
    """A mapping whose lazy entries are computed (once) when read."""

    def __init__(
        self,
        values: Mapping[str, Any] | None = None,
        lazy: Mapping[str, Callable[[], Any]] | None = None,
    ) -> None:
        self._values: dict[str, Any] = dict(values or {})
        self._lazy: dict[str, Callable[[], Any]] = dict(lazy or {})

    def __getitem__(self, key: str) -> Any:
        try:
            return self._values[key]
        except KeyError:
            factory = self._lazy.pop(key, None)
            if factory is None:
                raise
            value = self._values[key] = factory()
            return value

    def __setitem__(self, key: str, value: Any) -> None:
        self._lazy.pop(key, None)
        self._values[key] = value

    def __delitem__(self, key: str) -> None:
        if key in self._lazy:
            del self._lazy[key]
        else:
            del self._values[key]

    def __contains__(self, key: object) -> bool:
        return key in self._values or key in self._lazy

    def __iter__(self) -> Iterator[str]:
        yield from self._values
        yield from (k for k in list(self._lazy) if k not in self._values)

    def __len__(self) -> int:
        return len(self._values) + len(self._lazy)

    def copy(self) -> Context:
        return Context(self._values, self._lazy)

    def __repr__(self) -> str:
        return f"Context({sorted(self)})"


_current: contextvars.ContextVar[Context | None] = contextvars.ContextVar(
    "tradewind_current_context", default=None
)


@contextmanager
def current_context(context: Context) -> Iterator[None]:
    """Make ``context`` what :func:`get_current_context` returns while the block runs."""
    token = _current.set(context)
    try:
        yield
    finally:
        _current.reset(token)


def get_current_context() -> Context:
    """The context of the task running in this thread (Airflow's ``get_current_context``)."""
    context = _current.get()
    if context is None:
        from tradewind.errors import TradewindError

        raise TradewindError(
            "get_current_context() works only while a task runs",
            hint="call it inside a task's execute() or a @task function",
        )
    return context


def resolve_params(dag: Any, task: Any, conf: Mapping[str, Any] | None) -> dict[str, Any]:
    """DAG params, then task params, then the run's conf on top (Airflow's
    ``dag_run_conf_overrides_params``); values, not Param objects."""
    merged: dict[str, Any] = {}
    for source in (getattr(dag, "params", None), getattr(task, "params", None)):
        if not source:
            continue
        raw = source.params() if hasattr(source, "params") else dict(source)
        for name, param in raw.items():
            value = getattr(param, "value", param) if _is_param(param) else param
            if _is_param(param) and not getattr(param, "has_value", True):
                continue
            merged[name] = value
    if conf:
        merged.update(conf)
    return merged


def _is_param(value: Any) -> bool:
    return type(value).__name__ == "Param" and hasattr(value, "resolve")


def _prev_success(metastore: Metastore | None, dag_id: str, logical_date: datetime) -> Any:
    """The latest successful run before this one (or None)."""
    if metastore is None:
        return None
    with metastore.session() as session:
        return prev_success_in(session, dag_id, logical_date)


def prev_success_in(session: Any, dag_id: str, logical_date: datetime) -> Any:
    """:func:`_prev_success` inside the caller's transaction."""
    from sqlalchemy import select

    from tradewind.metastore.models import DagRun

    return session.execute(
        select(DagRun)
        .where(
            DagRun.dag_id == dag_id,
            DagRun.state == "success",
            DagRun.logical_date < logical_date,
        )
        .order_by(DagRun.logical_date.desc())
        .limit(1)
    ).scalar_one_or_none()


def _triggering_dataset_events(metastore: Metastore | None, dag_run: Any) -> dict[str, list]:
    """For a dataset-triggered run: uri -> the events since the DAG's previous such run.

    Each event carries Airflow's ``dataset``, ``uri`` and ``source_dag_run`` (the producing
    run, None when it is gone), so templates such as
    ``(triggering_dataset_events.values() | first | first).source_dag_run.data_interval_start``
    work as in Airflow's documentation."""
    if metastore is None or getattr(dag_run, "run_type", None) != "dataset_triggered":
        return {}
    from sqlalchemy import select

    from tradewind.metastore.models import DagRun, DagScheduleDataset, Dataset, DatasetEvent

    with metastore.session() as session:
        previous = session.execute(
            select(DagRun.queued_at)
            .where(
                DagRun.dag_id == dag_run.dag_id,
                DagRun.run_type == "dataset_triggered",
                DagRun.logical_date < dag_run.logical_date,
            )
            .order_by(DagRun.logical_date.desc())
            .limit(1)
        ).scalar()
        query = (
            select(Dataset, DatasetEvent, DagRun)
            .join(Dataset, Dataset.id == DatasetEvent.dataset_id)
            .join(DagScheduleDataset, DagScheduleDataset.dataset_id == Dataset.id)
            .outerjoin(
                DagRun,
                (DagRun.dag_id == DatasetEvent.source_dag_id)
                & (DagRun.run_id == DatasetEvent.source_run_id),
            )
            .where(DagScheduleDataset.dag_id == dag_run.dag_id)
            .order_by(DatasetEvent.timestamp)
        )
        if dag_run.queued_at is not None:
            query = query.where(DatasetEvent.timestamp <= dag_run.queued_at)
        if previous is not None:
            query = query.where(DatasetEvent.timestamp > previous)
        events: dict[str, list] = {}
        for dataset, event, source_run in session.execute(query).all():
            event.dataset, event.uri, event.source_dag_run = dataset, dataset.uri, source_run
            events.setdefault(dataset.uri, []).append(event)
        return events


def _expanded_ti_count(metastore: Metastore | None, ti: Any) -> int | None:
    if metastore is None or ti.map_index < 0:
        return None
    from sqlalchemy import func, select

    from tradewind.metastore.models import TaskInstance

    with metastore.session() as session:
        return session.execute(
            select(func.count()).where(
                TaskInstance.dag_id == ti.dag_id,
                TaskInstance.run_id == ti.run_id,
                TaskInstance.task_id == ti.task_id,
                TaskInstance.map_index >= 0,
            )
        ).scalar()


def build_context(
    *,
    dag: Any,
    task: Any,
    ti: Any,
    dag_run: Any,
    metastore: Metastore | None = None,
    test_mode: bool = False,
    params: Mapping[str, Any] | None = None,
    prev_success: Callable[[], Any] | None = None,
) -> Context:
    """The context of ``ti`` (a RuntimeTaskInstance) in ``dag_run`` (a DagRun row or look-alike).

    ``prev_success`` returns the latest successful earlier run when it was read already (else
    it is queried on first use of a ``prev_*_success`` entry).
    """
    from tradewind.runtime.dataset_events import InletEventsAccessors, OutletEventAccessors
    from tradewind.templating import macros
    from tradewind.templating.accessors import CONFIG, ConnectionAccessor, VariableAccessor

    pendulum_run_dates(dag_run)
    run_conf = getattr(dag_run, "conf", None)
    values: dict[str, Any] = date_entries(
        dag_run.logical_date,
        dag_run.data_interval_start,
        dag_run.data_interval_end,
        external_trigger=bool(getattr(dag_run, "external_trigger", False)),
    )
    values.update(
        {
            "dag": dag,
            "task": task,
            "ti": ti,
            "task_instance": ti,
            "task_instance_key_str": f"{ti.dag_id}__{ti.task_id}__{values['ds_nodash']}",
            "dag_run": dag_run,
            "run_id": dag_run.run_id,
            "conf": CONFIG,
            "params": dict(params) if params is not None else resolve_params(dag, task, run_conf),
            "var": VariableAccessor(),
            "conn": ConnectionAccessor(),
            "macros": macros,
            "map_index": ti.map_index,
            "try_number": ti.try_number,
            "test_mode": test_mode,
            "outlets": list(getattr(task, "outlets", None) or []),
            "inlets": list(getattr(task, "inlets", None) or []),
            "templates_dict": getattr(task, "templates_dict", None),
            "outlet_events": OutletEventAccessors(),
        }
    )
    values["inlet_events"] = InletEventsAccessors(values["inlets"], metastore)
    dag_id, logical_date = ti.dag_id, values["logical_date"]
    prev = prev_success or _lazy_once(lambda: _prev_success(metastore, dag_id, logical_date))
    lazy: dict[str, Callable[[], Any]] = {
        "prev_data_interval_start_success": lambda: _date_of(prev(), "data_interval_start"),
        "prev_data_interval_end_success": lambda: _date_of(prev(), "data_interval_end"),
        "prev_start_date_success": lambda: _date_of(prev(), "start_date"),
        "prev_end_date_success": lambda: _date_of(prev(), "end_date"),
        "prev_execution_date_success": lambda: _date_of(prev(), "logical_date"),
        "triggering_dataset_events": lambda: _triggering_dataset_events(metastore, dag_run),
        "expanded_ti_count": lambda: _expanded_ti_count(metastore, ti),
    }
    lazy["triggering_asset_events"] = lazy["triggering_dataset_events"]
    context = Context(values, lazy)
    if hasattr(ti, "set_context"):
        ti.set_context(context)
    return context


def build_dag_run_context(
    dag: Any,
    dag_run: Any,
    *,
    reason: str,
    metastore: Metastore | None = None,
) -> Context:
    """The context given to DAG-level callbacks: the run's dates, ``dag``, ``dag_run``,
    ``run_id``, ``params``, ``reason`` (``"success"`` / ``"task_failure"`` / ``"timed_out"``),
    and the ``ti``/``task`` of the run's last failed (else last finished) task instance."""
    from tradewind.templating import macros
    from tradewind.templating.accessors import CONFIG

    pendulum_run_dates(dag_run)
    values: dict[str, Any] = date_entries(
        dag_run.logical_date,
        dag_run.data_interval_start,
        dag_run.data_interval_end,
        external_trigger=bool(getattr(dag_run, "external_trigger", False)),
    )
    values.update(
        dag=dag,
        dag_run=dag_run,
        run_id=dag_run.run_id,
        conf=CONFIG,
        params=resolve_params(dag, None, getattr(dag_run, "conf", None)),
        macros=macros,
        reason=reason,
    )
    row = _deciding_ti(metastore, dag_run) if metastore is not None else None
    if row is not None:
        from tradewind.runtime.task_instance import RuntimeTaskInstance

        task = dag.task_dict.get(row.task_id) if hasattr(dag, "task_dict") else None
        ti = RuntimeTaskInstance(
            key=TryKey(row.dag_id, row.run_id, row.task_id, row.map_index, row.try_number),
            task=task,
            metastore=metastore,
            max_tries=row.max_tries,
            hostname=row.hostname or "",
            start_date=row.start_date,
            logical_date=dag_run.logical_date,
            state=row.state,
        )
        ti.end_date = row.end_date
        values.update(ti=ti, task_instance=ti, task=task)
    return Context(values)


def _deciding_ti(metastore: Metastore, dag_run: Any) -> Any:
    from sqlalchemy import select

    from tradewind.metastore.models import TaskInstance

    with metastore.session() as session:
        rows = (
            session.execute(
                select(TaskInstance).where(
                    TaskInstance.dag_id == dag_run.dag_id, TaskInstance.run_id == dag_run.run_id
                )
            )
            .scalars()
            .all()
        )
        session.expunge_all()
    if not rows:
        return None
    failed = [r for r in rows if r.state in ("failed", "upstream_failed")]
    pool = failed or rows
    epoch = datetime.min.replace(tzinfo=UTC)
    return max(pool, key=lambda r: r.end_date or epoch)


def _date_of(run: Any, name: str) -> Any:
    return to_pendulum(getattr(run, name, None))


def _lazy_once(factory: Callable[[], Any]) -> Callable[[], Any]:
    cache: list[Any] = []

    def get() -> Any:
        if not cache:
            cache.append(factory())
        return cache[0]

    return get
