"""``DAG`` and the ``@dag`` decorator, with Airflow's arguments."""

from __future__ import annotations

import functools
import inspect
import os
import sys
from collections.abc import Callable, Iterable
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from tradewind.core.graph import check_acyclic, topological_sort
from tradewind.core.spec import ScheduleSpec
from tradewind.errors import DagDefinitionError, DuplicateTaskIdError, TaskNotFound
from tradewind.sdk import dag_context
from tradewind.sdk.abstractoperator import AbstractOperator, validate_key
from tradewind.sdk.operator_args import as_int, as_timedelta
from tradewind.sdk.param import NOTSET, DagParam, ParamsDict
from tradewind.sdk.schedule_arg import DEFAULT_SCHEDULE, schedule_spec
from tradewind.sdk.setup_teardown import SetupTeardownContext
from tradewind.sdk.taskgroup import TaskGroup

if TYPE_CHECKING:
    from tradewind.sdk.dataset import Dataset

_SDK_DIR = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def _caller_file() -> str:
    """The first file up the stack that is not part of Tradewind itself: the DAG file."""
    frame = sys._getframe(1)
    while frame is not None:
        filename = frame.f_code.co_filename
        if not os.path.abspath(filename).startswith(_SDK_DIR + os.sep):
            return filename
        frame = frame.f_back  # type: ignore[assignment]
    return ""


class DAG:
    """A workflow: tasks and their dependencies, with a schedule. Use as a context manager."""

    def __init__(
        self,
        dag_id: str,
        description: str | None = None,
        schedule: Any = NOTSET,
        schedule_interval: Any = NOTSET,
        timetable: Any = None,
        start_date: datetime | None = None,
        end_date: datetime | None = None,
        full_filepath: str | None = None,
        template_searchpath: str | Iterable[str] | None = None,
        template_undefined: Any = None,
        user_defined_macros: dict[str, Any] | None = None,
        user_defined_filters: dict[str, Callable[..., Any]] | None = None,
        default_args: dict[str, Any] | None = None,
        concurrency: int | None = None,
        max_active_tasks: int = 16,
        max_active_runs: int = 16,
        max_consecutive_failed_dag_runs: int = 0,
        dagrun_timeout: timedelta | float | None = None,
        sla_miss_callback: Any = None,
        default_view: str = "grid",
        orientation: str = "LR",
        catchup: bool | None = None,
        on_success_callback: Callable | list[Callable] | None = None,
        on_failure_callback: Callable | list[Callable] | None = None,
        doc_md: str | None = None,
        params: dict[str, Any] | None = None,
        access_control: Any = None,
        is_paused_upon_creation: bool | None = None,
        jinja_environment_kwargs: dict[str, Any] | None = None,
        render_template_as_native_obj: bool = False,
        tags: Iterable[str] | None = None,
        owner_links: dict[str, str] | None = None,
        auto_register: bool = True,
        fail_stop: bool = False,
        dag_display_name: str | None = None,
        fileloc: str | None = None,
    ) -> None:
        self.dag_id = validate_key(dag_id, "dag_id")
        where = f"DAG {dag_id!r}"
        if timetable is not None:  # Airflow 2's older name for schedule=<a timetable>
            if schedule is not NOTSET or schedule_interval is not NOTSET:
                raise DagDefinitionError(f"{where}: pass schedule or timetable, not both")
            schedule = timetable
        if schedule is not NOTSET and schedule_interval is not NOTSET:
            raise DagDefinitionError(
                f"{where}: pass schedule or schedule_interval, not both",
                hint="schedule_interval is the deprecated name of schedule",
            )
        if schedule is NOTSET:
            schedule = DEFAULT_SCHEDULE if schedule_interval is NOTSET else schedule_interval
        self.schedule = schedule
        self.schedule_interval = schedule
        self.schedule_spec: ScheduleSpec = schedule_spec(schedule, dag_id)
        triggers = [schedule] if _is_dataset(schedule) else schedule
        self.dataset_triggers: list[Dataset] = (
            list(triggers) if self.schedule_spec.kind == "datasets" else []
        )
        self.default_args = dict(default_args or {})
        self.start_date = (
            start_date if start_date is not None else self.default_args.get("start_date")
        )
        self.end_date = end_date if end_date is not None else self.default_args.get("end_date")
        for name in ("start_date", "end_date"):
            value = getattr(self, name)
            if value is not None and not isinstance(value, datetime):
                raise DagDefinitionError(f"{where}: {name} must be a datetime, got {value!r}")
        self.description = description
        self.fileloc = fileloc or full_filepath or _caller_file()
        self.template_searchpath = (
            [template_searchpath]
            if isinstance(template_searchpath, str)
            else list(template_searchpath or [])
        )
        self.template_undefined = template_undefined
        self.user_defined_macros = user_defined_macros
        self.user_defined_filters = user_defined_filters
        self.jinja_environment_kwargs = jinja_environment_kwargs
        self.render_template_as_native_obj = render_template_as_native_obj
        self.max_active_tasks = as_int(
            concurrency if concurrency is not None else max_active_tasks, "max_active_tasks", where
        )
        self.max_active_runs = as_int(max_active_runs, "max_active_runs", where)
        if self.schedule_spec.kind == "continuous" and self.max_active_runs > 1:
            raise DagDefinitionError(
                f"{where}: a continuous schedule requires max_active_runs <= 1, "
                f"got {self.max_active_runs}",
                hint="set max_active_runs=1",
            )
        self.max_consecutive_failed_dag_runs = max_consecutive_failed_dag_runs
        self.dagrun_timeout = as_timedelta(dagrun_timeout, "dagrun_timeout", where)
        self.sla_miss_callback = sla_miss_callback
        self.default_view, self.orientation = default_view, orientation
        self.catchup = catchup
        self.on_success_callback = on_success_callback
        self.on_failure_callback = on_failure_callback
        self.doc_md = doc_md
        # as Airflow: default_args["params"] is merged over params and leaves default_args
        self.params = ParamsDict(params)
        self.params.update(self.default_args.pop("params", None) or {})
        self.access_control = access_control
        self.is_paused_upon_creation = is_paused_upon_creation
        self.tags = _check_tags(tags, where)
        self.owner_links = owner_links or {}
        self.auto_register = auto_register
        self.fail_stop = fail_stop
        self.dag_display_name = dag_display_name or dag_id
        self.task_dict: dict[str, AbstractOperator] = {}
        self.used_group_ids: set[str] = set()
        self.task_group_dict: dict[str, TaskGroup] = {}
        self.task_group = TaskGroup(None, dag=self)

    # -- tasks ---------------------------------------------------------------------------
    def add_task(self, task: AbstractOperator) -> None:
        """Add ``task``; a second task with the same id is refused."""
        if task.task_id in self.task_dict and self.task_dict[task.task_id] is not task:
            raise DuplicateTaskIdError(
                f"Task id {task.task_id!r} has already been added to the DAG {self.dag_id!r}",
                hint="give each task in a DAG a unique task_id",
            )
        if task.task_id in self.used_group_ids:
            raise DuplicateTaskIdError(
                f"Task id {task.task_id!r} is already the id of a TaskGroup in DAG {self.dag_id!r}"
            )
        self.task_dict[task.task_id] = task
        task._dag = self
        SetupTeardownContext.track(task)
        if task.task_group is None:
            task.task_group = self.task_group
            if task.task_id not in self.task_group.children:
                self.task_group.children[task.task_id] = task

    def add_tasks(self, tasks: Iterable[AbstractOperator]) -> None:
        for task in tasks:
            task.dag = self

    def get_task(self, task_id: str) -> AbstractOperator:
        try:
            return self.task_dict[task_id]
        except KeyError:
            raise TaskNotFound(
                f"Task {task_id!r} not found in DAG {self.dag_id!r}",
                hint=f"run `tradewind tasks list {self.dag_id}` to see its tasks",
            ) from None

    def has_task(self, task_id: str) -> bool:
        return task_id in self.task_dict

    @property
    def tasks(self) -> list[AbstractOperator]:
        return list(self.task_dict.values())

    @property
    def task_ids(self) -> list[str]:
        return list(self.task_dict)

    @property
    def task_count(self) -> int:
        return len(self.task_dict)

    @property
    def roots(self) -> list[AbstractOperator]:
        return [t for t in self.tasks if not t.upstream_task_ids]

    @property
    def leaves(self) -> list[AbstractOperator]:
        return [t for t in self.tasks if not t.downstream_task_ids]

    def edges(self, upstream: bool = False) -> dict[str, set[str]]:
        """``{task_id: downstream ids}`` (or upstream ids), limited to this DAG's tasks."""
        ids = self.task_dict
        return {
            tid: {
                o for o in (t.upstream_task_ids if upstream else t.downstream_task_ids) if o in ids
            }
            for tid, t in ids.items()
        }

    def check_cycle(self) -> None:
        """Raise CycleError naming the cycle (``a >> b >> a``) if the graph has one."""
        check_acyclic(self.edges(), self.dag_id)

    def topological_sort(self) -> list[AbstractOperator]:
        order = topological_sort(self.task_dict, self.edges(), self.dag_id)
        return [self.task_dict[t] for t in order]

    def param(self, name: str, default: Any = NOTSET) -> DagParam:
        """A reference to a DAG param, resolved from the run's params at run time."""
        return DagParam(self, name, default)

    # -- derived ------------------------------------------------------------------------
    @property
    def owner(self) -> str:
        return ", ".join(sorted({getattr(t, "owner", "tradewind") for t in self.tasks}))

    @property
    def folder(self) -> str:
        return os.path.dirname(self.fileloc)

    @property
    def filepath(self) -> str:
        return self.fileloc

    @property
    def timezone(self) -> Any:
        """The DAG's time zone, as Airflow's ``dag.timezone``: a pendulum zone, the start date's
        when it is aware, else the configured ``core.default_timezone``."""
        import pendulum

        start = self.start_date
        if start is not None and start.tzinfo is not None:
            return pendulum.instance(start).timezone
        from tradewind.utils.timezone import default_zone

        zone = default_zone()
        return pendulum.timezone(getattr(zone, "key", "UTC"))

    def get_template_env(self, *, force_sandboxed: bool = False) -> Any:
        from tradewind.templating.environment import get_template_env

        return get_template_env(self)

    def test(
        self,
        execution_date: datetime | None = None,
        run_conf: dict[str, Any] | None = None,
        *,
        logical_date: datetime | None = None,
        conf: dict[str, Any] | None = None,
        **kwargs: Any,
    ) -> Any:
        """Run one DAG run in-process, as ``tradewind dags test`` does, printing every try's
        log lines (the tasks' prints too) to stdout as they come, as Airflow's does."""
        from tradewind.runtime.dag_test import run_dag_test

        for unsupported in ("conn_file_path", "variable_file_path", "use_executor", "session"):
            kwargs.pop(unsupported, None)
        return run_dag_test(
            self, logical_date=logical_date or execution_date, conf=conf or run_conf, **kwargs
        )

    # -- context manager ----------------------------------------------------------------
    def __enter__(self) -> DAG:
        dag_context.push_dag(self)
        return self

    def __exit__(self, exc_type: type[BaseException] | None, *exc: object) -> None:
        dag_context.pop_dag()
        if exc_type is None:
            if self.auto_register:
                dag_context.autoregister(self)
            self.check_cycle()

    def __repr__(self) -> str:
        return f"<DAG: {self.dag_id}>"


def _is_dataset(value: Any) -> bool:
    from tradewind.sdk.dataset import Dataset

    return isinstance(value, Dataset)


def _check_tags(tags: Iterable[str] | None, where: str) -> list[str]:
    out = list(tags or [])
    for tag in out:
        if not isinstance(tag, str) or len(tag) > 100:
            raise DagDefinitionError(f"{where}: tag {tag!r} must be a string of <= 100 characters")
    return out


def dag(dag_id: Any = "", **dag_kwargs: Any) -> Any:
    """``@dag`` / ``@dag(schedule=..., ...)``: calling the function returns a DAG.

    The function's arguments become DAG params; inside the function they are references
    resolved at run time, as in Airflow.
    """
    if callable(dag_id) and not dag_kwargs:
        return dag()(dag_id)

    def wrapper(function: Callable[..., Any]) -> Callable[..., DAG]:
        signature = inspect.signature(function)

        @functools.wraps(function)
        def factory(*args: Any, **kwargs: Any) -> DAG:
            bound = signature.bind(*args, **kwargs)
            bound.apply_defaults()
            options = dict(dag_kwargs)
            options.setdefault("fileloc", function.__code__.co_filename)
            with DAG(dag_id or function.__name__, **options) as dag_obj:
                if function.__doc__ and not dag_obj.doc_md:
                    dag_obj.doc_md = inspect.cleandoc(function.__doc__)
                call_kwargs = {}
                for name, value in bound.arguments.items():
                    param = dag_obj.param(name, value)
                    call_kwargs[name] = param
                function(**call_kwargs)
            return dag_obj

        factory.function = function  # type: ignore[attr-defined]
        return factory

    return wrapper
