"""A live ``DAG`` -> its plain-data :class:`~tradewind.core.spec.DagSpec`, and the version hash."""

from __future__ import annotations

import hashlib
from datetime import datetime, timedelta, timezone, tzinfo
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from tradewind.core.spec import DagSpec, TaskSpec
from tradewind.errors import DagDefinitionError, ScheduleError
from tradewind.sdk.abstractoperator import AbstractOperator
from tradewind.sdk.dag import DAG
from tradewind.sdk.dataset import Dataset
from tradewind.sdk.trigger_rule import TriggerRule


def serialize_dag(
    dag: DAG, *, default_timezone: str = "UTC", catchup_default: bool = True
) -> DagSpec:
    """The spec the scheduler, dashboard and CLI work from. Checks for cycles and bad params."""
    dag.check_cycle()
    _check_param_defaults(dag)
    tz_name = timezone_name(dag.start_date, default_timezone, dag.dag_id)
    tasks = tuple(_task_spec(t) for t in dag.topological_sort())
    return DagSpec(
        dag_id=dag.dag_id,
        fileloc=dag.fileloc,
        schedule=dag.schedule_spec,
        start_date=_iso(dag.start_date, tz_name),
        end_date=_iso(dag.end_date, tz_name),
        timezone=tz_name,
        catchup=catchup_default if dag.catchup is None else bool(dag.catchup),
        max_active_runs=dag.max_active_runs,
        max_active_tasks=dag.max_active_tasks,
        dagrun_timeout=_seconds(dag.dagrun_timeout),
        is_paused_upon_creation=dag.is_paused_upon_creation,
        tags=tuple(dag.tags),
        owner=dag.owner or "tradewind",
        description=dag.description,
        doc_md=dag.doc_md,
        params=dag.params.dump(),
        default_args={k: _display(v) for k, v in dag.default_args.items()},
        tasks=tasks,
        task_groups={
            gid: {
                "parent": group.parent_group.group_id if group.parent_group else None,
                "tooltip": group.tooltip,
            }
            for gid, group in dag.task_group_dict.items()
        },
        has_on_success_callback=bool(dag.on_success_callback),
        has_on_failure_callback=bool(dag.on_failure_callback),
    )


def _task_spec(task: AbstractOperator) -> TaskSpec:
    t: Any = task
    mapped: str | None = None
    map_length: int | None = None
    map_upstream: tuple[str, ...] = ()
    if task.is_mapped:
        mapped, map_length, map_upstream = t.map_info()
    group = task.task_group
    return TaskSpec(
        task_id=task.task_id,
        operator=t.operator_name,
        upstream=tuple(sorted(task.upstream_task_ids)),
        downstream=tuple(sorted(task.downstream_task_ids)),
        trigger_rule=TriggerRule.normalize(str(t.trigger_rule)),
        retries=int(t.retries),
        retry_delay=_seconds(t.retry_delay) or 0.0,
        retry_exponential_backoff=bool(t.retry_exponential_backoff),
        max_retry_delay=_seconds(t.max_retry_delay),
        execution_timeout=_seconds(t.execution_timeout),
        queue=t.queue,
        pool=t.pool,
        pool_slots=int(t.pool_slots),
        priority_weight=int(t.priority_weight),
        weight_rule=str(t.weight_rule),
        depends_on_past=bool(t.depends_on_past),
        wait_for_downstream=bool(t.wait_for_downstream),
        outlets=tuple(o.uri for o in t.outlets if isinstance(o, Dataset)),
        group_id=group.group_id if group is not None and not group.is_root else None,
        mapped=mapped,
        map_length=map_length,
        map_upstream=map_upstream,
        map_zip=t.map_zip() if mapped == "upstream" else (),
        map_group=_map_group(t),
        template_fields=tuple(t.template_fields),
        is_sensor=bool(getattr(t, "is_sensor", False)),
        reschedule=_is_reschedule(t),
        owner=t.owner,
        doc_md=t.doc_md,
        ui_color=t.ui_color if isinstance(t.ui_color, str) else "#fff",
        email_on_failure=bool(t.email) and bool(t.email_on_failure),
        email_on_retry=bool(t.email) and bool(t.email_on_retry),
        is_setup=bool(getattr(t, "is_setup", False)),
        is_teardown=bool(getattr(t, "is_teardown", False)),
        on_failure_fail_dagrun=bool(getattr(t, "on_failure_fail_dagrun", False)),
    )


def _is_reschedule(task: Any) -> bool:
    mode = getattr(task, "mode", None)
    if mode is None and task.is_mapped:
        mode = task.partial_kwargs.get("mode")
    return bool(getattr(task, "is_sensor", False)) and mode == "reschedule"


def _check_param_defaults(dag: DAG) -> None:
    for name, param in dag.params.params().items():
        if param.has_value:
            param.resolve(name=name)


def timezone_name(value: datetime | None, default: str, dag_id: str = "") -> str:
    """IANA name of ``value``'s time zone (zoneinfo, pendulum, UTC), else ``default``."""
    if value is None or value.tzinfo is None:
        return default
    return tzinfo_name(value.tzinfo, value, dag_id)


def tzinfo_name(tz: tzinfo, at: datetime | None = None, dag_id: str = "") -> str:
    if isinstance(tz, ZoneInfo):
        return tz.key
    name = getattr(tz, "name", None) or getattr(tz, "key", None) or getattr(tz, "zone", None)
    if isinstance(name, str) and _known_zone(name):
        return name
    offset = tz.utcoffset(at)
    if offset == timedelta(0):
        return "UTC"
    if (
        offset is not None
        and isinstance(tz, timezone)
        and offset % timedelta(hours=1) == timedelta(0)
    ):
        hours = int(offset / timedelta(hours=1))
        return f"Etc/GMT{-hours:+d}"
    raise ScheduleError(
        f"DAG {dag_id!r}: cannot name the time zone {tz!r} of its start_date",
        hint="use zoneinfo.ZoneInfo('Europe/Paris'), pendulum's tz=..., or UTC",
    )


def _known_zone(name: str) -> bool:
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return False
    return True


def localize(value: datetime, tz_name: str) -> datetime:
    """``value`` as an aware stdlib datetime (naive values are taken to be in ``tz_name``)."""
    zone = ZoneInfo(tz_name)
    if value.tzinfo is None:
        return datetime(*value.timetuple()[:6], value.microsecond, tzinfo=zone)
    plain = datetime(*value.timetuple()[:6], value.microsecond, tzinfo=value.tzinfo)
    return plain.astimezone(zone) if tz_name else plain


def _iso(value: datetime | None, tz_name: str) -> str | None:
    if value is None:
        return None
    if not isinstance(value, datetime):
        raise DagDefinitionError(f"Expected a datetime, got {value!r}")
    return localize(value, tz_name).isoformat()


def _seconds(value: timedelta | float | None) -> float | None:
    if value is None:
        return None
    if isinstance(value, timedelta):
        return value.total_seconds()
    return float(value)


def _display(value: Any) -> str:
    if callable(value):
        return getattr(value, "__qualname__", repr(value))
    return str(value)


def dag_version_hash(spec: DagSpec | str, source_code: str | bytes = "") -> str:
    """sha256 hex of the spec's JSON and the file's source: a new hash means a new DAG version."""
    spec_json = spec.to_json() if isinstance(spec, DagSpec) else spec
    source = source_code.encode() if isinstance(source_code, str) else source_code
    digest = hashlib.sha256()
    digest.update(spec_json.encode())
    digest.update(b"\0")
    digest.update(source)
    return digest.hexdigest()


def _map_group(task: Any) -> str | None:
    """The id of the mapped task group ``task`` is mapped with, if any."""
    group = getattr(task, "mapped_group", None)
    return group.group_id if group is not None else None
