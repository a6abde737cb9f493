"""The plain-data form of a DAG: what the scheduler, the dashboard and the CLI's read commands
work from, so that none of them imports user code.

``tradewind.parsing.serialize`` turns a live ``DAG`` into a :class:`DagSpec`; the spec goes to the
metastore as JSON (``DagSpec.to_json``) and comes back with ``DagSpec.from_json``.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from functools import cached_property, lru_cache
from typing import Any


@dataclass(frozen=True)
class ScheduleSpec:
    """How a DAG is scheduled.

    kind: ``none`` (manual only), ``once``, ``cron`` (``expression`` holds a cron string, presets
    already resolved), ``delta`` (``seconds``), ``datasets`` (``dataset_uris``), ``continuous``,
    ``cron_trigger`` (``expression``; ``seconds`` is the data interval before each fire time) or
    ``events`` (``events``).
    """

    kind: str = "none"
    expression: str | None = None
    seconds: float | None = None
    dataset_uris: tuple[str, ...] = ()
    #: for ``datasets``, None means all of ``dataset_uris``; else a condition (``a | b``): a URI,
    #: or ("any" | "all", item, ...) over nested items
    dataset_condition: str | tuple[Any, ...] | None = None
    #: what the user wrote, for display ("@daily", "0 6 * * *", "1 day, 0:00:00", ...)
    description: str = "None"
    #: the time zone a timetable names itself (IANA); None means the DAG's
    timezone: str | None = None
    #: ``cron_trigger``: Airflow's ``run_immediately``, True/False or a number of seconds
    run_immediately: bool | float = False
    #: ``events``: ISO-8601 datetimes (naive ones are wall-clock times in the DAG's zone)
    events: tuple[str, ...] = ()
    restrict_to_events: bool = False


#: ScheduleSpec fields left out of the JSON while they hold their default, so the JSON (and the
#: version hash) of a DAG that uses none of them stays as it was before they existed
_OPTIONAL_SCHEDULE_FIELDS = {
    "timezone": None,
    "run_immediately": False,
    "events": (),
    "restrict_to_events": False,
}


@dataclass(frozen=True)
class TaskSpec:
    task_id: str
    operator: str = "BaseOperator"
    upstream: tuple[str, ...] = ()
    downstream: tuple[str, ...] = ()
    trigger_rule: str = "all_success"
    retries: int = 0
    retry_delay: float = 300.0
    retry_exponential_backoff: bool = False
    max_retry_delay: float | None = None
    execution_timeout: float | None = None
    queue: str = "default"
    pool: str = "default_pool"
    pool_slots: int = 1
    priority_weight: int = 1
    weight_rule: str = "downstream"
    depends_on_past: bool = False
    wait_for_downstream: bool = False
    outlets: tuple[str, ...] = ()
    #: the TaskGroup path ("group.sub"), or None at the top level
    group_id: str | None = None
    #: mapping: None if not mapped; else "literal" (length known at parse time) or "upstream"
    mapped: str | None = None
    #: for "literal" mapping, the number of mapped instances
    map_length: int | None = None
    #: for "upstream" mapping, the task ids whose XCom lists decide the length
    map_upstream: tuple[str, ...] = ()
    #: for "upstream" mapping over zipped results (``a.zip(b)``): one factor per mapped argument,
    #: their lengths multiplied; a factor is a task id or ("zip" | "zip_longest", factor, ...)
    map_zip: tuple[Any, ...] = ()
    #: the mapped task group the task is mapped with (its upstreams in that group are read at
    #: its own map index only, as Airflow does); None for any other task
    map_group: str | None = None
    template_fields: tuple[str, ...] = ()
    is_sensor: bool = False
    #: sensors in "reschedule" mode give their slot back between pokes
    reschedule: bool = False
    owner: str = "tradewind"
    doc_md: str | None = None
    ui_color: str = "#fff"
    email_on_failure: bool = False
    email_on_retry: bool = False
    #: setup and teardown tasks (Airflow 2.7); a failed teardown fails its run only with
    #: ``on_failure_fail_dagrun``
    is_setup: bool = False
    is_teardown: bool = False
    on_failure_fail_dagrun: bool = False


@dataclass(frozen=True)
class DagSpec:
    dag_id: str
    fileloc: str = ""
    schedule: ScheduleSpec = field(default_factory=ScheduleSpec)
    #: ISO-8601 with offset, or None
    start_date: str | None = None
    end_date: str | None = None
    #: IANA name of the DAG's time zone (start_date's tzinfo, else the configured default)
    timezone: str = "UTC"
    catchup: bool = True
    max_active_runs: int = 16
    max_active_tasks: int = 16
    dagrun_timeout: float | None = None
    is_paused_upon_creation: bool | None = None
    tags: tuple[str, ...] = ()
    owner: str = "tradewind"
    description: str | None = None
    doc_md: str | None = None
    #: param name -> {"default": ..., "schema": {...}, "description": ...}
    params: dict[str, Any] = field(default_factory=dict)
    #: default_args as displayable strings
    default_args: dict[str, str] = field(default_factory=dict)
    tasks: tuple[TaskSpec, ...] = ()
    #: group id -> {"parent": group id or None, "tooltip": str}
    task_groups: dict[str, dict[str, Any]] = field(default_factory=dict)
    has_on_success_callback: bool = False
    has_on_failure_callback: bool = False

    # -- derived helpers ---------------------------------------------------------------
    # Computed once per spec (a spec never changes): the scheduler asks for them on every pass.
    # The fields of a frozen dataclass cannot change, so the cached values cannot go stale;
    # callers must not mutate what they get back.
    def task(self, task_id: str) -> TaskSpec:
        return self.task_map[task_id]

    @cached_property
    def task_ids(self) -> tuple[str, ...]:
        return tuple(t.task_id for t in self.tasks)

    @cached_property
    def task_map(self) -> dict[str, TaskSpec]:
        return {t.task_id: t for t in self.tasks}

    @cached_property
    def leaves(self) -> tuple[str, ...]:
        return tuple(t.task_id for t in self.tasks if not t.downstream)

    @cached_property
    def roots(self) -> tuple[str, ...]:
        return tuple(t.task_id for t in self.tasks if not t.upstream)

    # -- (de)serialization -------------------------------------------------------------
    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        sched = data["schedule"]
        for key, default in _OPTIONAL_SCHEDULE_FIELDS.items():
            if sched.get(key) == default and type(sched.get(key)) is type(default):
                del sched[key]
        for task in data["tasks"]:  # left out when unset: stored specs stay as they were
            if task.get("map_group") is None:
                task.pop("map_group", None)
        return data

    def to_json(self) -> str:
        return json.dumps(self.to_dict(), sort_keys=True, default=str)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> DagSpec:
        data = dict(data)
        sched = data.pop("schedule", None) or {}
        sched["dataset_uris"] = tuple(sched.get("dataset_uris", ()))
        sched["dataset_condition"] = _condition(sched.get("dataset_condition"))
        sched["events"] = tuple(sched.get("events", ()))
        tasks = []
        for t in data.pop("tasks", ()):
            t = dict(t)
            for key in ("upstream", "downstream", "outlets", "map_upstream", "template_fields"):
                t[key] = tuple(t.get(key, ()))
            t["map_zip"] = _condition(t.get("map_zip", ()))
            tasks.append(TaskSpec(**t))
        data["tags"] = tuple(data.get("tags", ()))
        return cls(schedule=ScheduleSpec(**sched), tasks=tuple(tasks), **data)

    @classmethod
    def from_json(cls, text: str) -> DagSpec:
        """The spec stored as ``text``; the same text gives the same (immutable) spec object,
        parsed once: a trigger or a page of a large DAG would otherwise parse it every time."""
        if cls is DagSpec:
            return _parsed_spec(text)
        return cls.from_dict(json.loads(text))


@lru_cache(maxsize=16)
def _parsed_spec(text: str) -> DagSpec:
    return DagSpec.from_dict(json.loads(text))


def _condition(value: Any) -> Any:
    """A dataset condition (or ``map_zip``) read back from JSON: its lists back into tuples."""
    if isinstance(value, list | tuple):
        return tuple(_condition(item) for item in value)
    return value
