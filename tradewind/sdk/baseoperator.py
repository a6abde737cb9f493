"""``BaseOperator``: Airflow's operator base class, with Airflow's arguments and defaults."""

from __future__ import annotations

import logging
import warnings
from collections.abc import Callable, Iterable, Sequence
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any, ClassVar

from tradewind.errors import DagDefinitionError
from tradewind.sdk.abstractoperator import AbstractOperator, validate_key
from tradewind.sdk.dataset import Dataset
from tradewind.sdk.operator_args import (
    apply_defaults,
    as_int,
    as_timedelta,
    check_trigger_rule,
    check_weight_rule,
)
from tradewind.sdk.param import ParamsDict

if TYPE_CHECKING:
    from tradewind.sdk.dag import DAG
    from tradewind.sdk.mapping import OperatorPartial
    from tradewind.sdk.taskgroup import TaskGroup

DEFAULT_OWNER = "tradewind"
DEFAULT_QUEUE = "default"
DEFAULT_POOL = "default_pool"
DEFAULT_RETRY_DELAY = timedelta(seconds=300)

_task_log = logging.getLogger("tradewind.task")


class BaseOperator(AbstractOperator):
    """Base of every operator. Subclasses implement :meth:`execute`.

    ``template_fields`` name the attributes rendered with Jinja before ``execute``;
    a string ending with one of ``template_ext`` is read as a template file.
    """

    template_fields: ClassVar[Sequence[str]] = ()
    template_ext: ClassVar[Sequence[str]] = ()
    template_fields_renderers: ClassVar[dict[str, str]] = {}
    ui_color: str = "#fff"
    ui_fgcolor: str = "#000"
    #: True for sensors (set by BaseSensorOperator)
    is_sensor: ClassVar[bool] = False

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        if "__init__" in cls.__dict__:
            cls.__init__ = apply_defaults(cls.__dict__["__init__"])  # type: ignore[method-assign]

    def __init__(
        self,
        task_id: str,
        owner: str = DEFAULT_OWNER,
        email: str | Iterable[str] | None = None,
        email_on_retry: bool = True,
        email_on_failure: bool = True,
        retries: int | None = 0,
        retry_delay: timedelta | float = DEFAULT_RETRY_DELAY,
        retry_exponential_backoff: bool = False,
        max_retry_delay: timedelta | float | None = None,
        start_date: datetime | None = None,
        end_date: datetime | None = None,
        depends_on_past: bool = False,
        ignore_first_depends_on_past: bool = True,
        wait_for_past_depends_before_skipping: bool = False,
        wait_for_downstream: bool = False,
        dag: DAG | None = None,
        params: dict[str, Any] | None = None,
        default_args: dict[str, Any] | None = None,
        priority_weight: int = 1,
        weight_rule: str = "downstream",
        queue: str = DEFAULT_QUEUE,
        pool: str | None = None,
        pool_slots: int = 1,
        sla: timedelta | None = None,
        execution_timeout: timedelta | float | None = None,
        on_execute_callback: Callable | list[Callable] | None = None,
        on_failure_callback: Callable | list[Callable] | None = None,
        on_success_callback: Callable | list[Callable] | None = None,
        on_retry_callback: Callable | list[Callable] | None = None,
        on_skipped_callback: Callable | list[Callable] | None = None,
        pre_execute: Callable | None = None,
        post_execute: Callable | None = None,
        trigger_rule: str = "all_success",
        resources: dict[str, Any] | None = None,
        run_as_user: str | None = None,
        task_concurrency: int | None = None,
        map_index_template: str | None = None,
        max_active_tis_per_dag: int | None = None,
        max_active_tis_per_dagrun: int | None = None,
        executor: str | None = None,
        executor_config: dict | None = None,
        do_xcom_push: bool = True,
        multiple_outputs: bool = False,
        inlets: Any | None = None,
        outlets: Any | None = None,
        task_group: TaskGroup | None = None,
        doc: str | None = None,
        doc_md: str | None = None,
        doc_json: str | None = None,
        doc_yaml: str | None = None,
        doc_rst: str | None = None,
        task_display_name: str | None = None,
        logger_name: str | None = None,
        allow_nested_operators: bool = True,
        **kwargs: Any,
    ) -> None:
        self._init_node()
        validate_key(task_id, "task_id")
        where = f"Task {task_id!r}" + (f" in DAG {dag.dag_id!r}" if dag is not None else "")
        if kwargs:
            raise DagDefinitionError(
                f"Invalid arguments were passed to {type(self).__name__} (task_id: {task_id}). "
                f"Invalid arguments were: **kwargs: {kwargs}",
                hint="remove them or check their spelling against the operator's arguments",
            )
        self.task_id = task_group.child_id(task_id) if task_group is not None else task_id
        self.owner = owner
        self.email = email
        self.email_on_retry = email_on_retry
        self.email_on_failure = email_on_failure
        self.retries = as_int(retries if retries is not None else 0, "retries", where)
        self.retry_delay = as_timedelta(retry_delay, "retry_delay", where, allow_none=False)
        self.retry_exponential_backoff = retry_exponential_backoff
        self.max_retry_delay = as_timedelta(max_retry_delay, "max_retry_delay", where)
        self.start_date = start_date
        self.end_date = end_date
        self.depends_on_past = bool(depends_on_past)
        self.ignore_first_depends_on_past = ignore_first_depends_on_past
        self.wait_for_past_depends_before_skipping = wait_for_past_depends_before_skipping
        self.wait_for_downstream = bool(wait_for_downstream)
        if self.wait_for_downstream:
            self.depends_on_past = True
        self.priority_weight = as_int(priority_weight, "priority_weight", where)
        self.weight_rule = check_weight_rule(weight_rule, where)
        self.queue = queue or DEFAULT_QUEUE
        self.pool = pool or DEFAULT_POOL
        self.pool_slots = as_int(pool_slots, "pool_slots", where)
        if self.pool_slots < 1:
            raise DagDefinitionError(f"{where}: pool slots cannot be less than 1")
        self.sla = sla
        self.execution_timeout = as_timedelta(execution_timeout, "execution_timeout", where)
        self.on_execute_callback = on_execute_callback
        self.on_failure_callback = on_failure_callback
        self.on_success_callback = on_success_callback
        self.on_retry_callback = on_retry_callback
        self.on_skipped_callback = on_skipped_callback
        self._pre_execute_hook = pre_execute
        self._post_execute_hook = post_execute
        self.trigger_rule = check_trigger_rule(trigger_rule, where)
        self.resources = resources
        self.run_as_user = run_as_user
        self.max_active_tis_per_dag = max_active_tis_per_dag or task_concurrency
        self.max_active_tis_per_dagrun = max_active_tis_per_dagrun
        self.map_index_template = map_index_template
        self.executor = executor
        self.executor_config = executor_config or {}
        self.do_xcom_push = do_xcom_push
        self.multiple_outputs = multiple_outputs
        self.inlets = _as_list(inlets)
        self.outlets = _as_list(outlets)
        self.doc, self.doc_md, self.doc_json = doc, doc_md, doc_json
        self.doc_yaml, self.doc_rst = doc_yaml, doc_rst
        self.task_display_name = task_display_name
        self.allow_nested_operators = allow_nested_operators
        if isinstance(self.template_fields, str):  # ("sql") is a string: Airflow wraps it too
            warnings.warn(
                f"The `template_fields` value for {type(self).__name__} is a string but should "
                "be a list or tuple of string. Wrapping it in a list for execution.",
                UserWarning,
                stacklevel=2,
            )
            self.template_fields = [self.template_fields]
        self._log = logging.getLogger(logger_name) if logger_name else _task_log
        # as Airflow: the DAG's params, then default_args' and the task's own over them
        self.params = ParamsDict()
        if dag is not None and dag.params:
            self.params.update(dag.params)
        self.params.update((default_args or {}).get("params") or {})
        self.params.update(params or {})
        self.task_group = task_group
        if not self.__dict__.get("_tw_from_mapped"):
            if task_group is not None:
                task_group.add(self)
            if dag is not None:
                dag.add_task(self)
        elif dag is not None:
            self._dag = dag

    def _post_init(self) -> None:
        """After the outermost ``__init__``: XComArgs in templated fields become dependencies."""
        if self.__dict__.get("_tw_from_mapped"):
            return
        from tradewind.sdk.xcom_arg import XComArg

        for field in self.template_fields:
            for arg in XComArg.iter_xcom_args(getattr(self, field, None)):
                arg.operator.set_downstream(self)

    # -- what subclasses implement -----------------------------------------------------
    def execute(self, context: dict[str, Any]) -> Any:
        """Do the work of the task. The return value is pushed to XCom when do_xcom_push."""
        raise NotImplementedError(f"{type(self).__name__} must implement execute()")

    def pre_execute(self, context: dict[str, Any]) -> None:
        if self._pre_execute_hook is not None:
            self._pre_execute_hook(context)

    def post_execute(self, context: dict[str, Any], result: Any = None) -> None:
        if self._post_execute_hook is not None:
            self._post_execute_hook(context, result)

    def on_kill(self) -> None:
        """Called when the try is stopped (timeout, external kill); release what execute holds."""

    # -- templating (rendering lives in tradewind.templating) -------------------------
    def render_template_fields(self, context: dict[str, Any], jinja_env: Any = None) -> None:
        """Render every ``template_fields`` attribute in place (XComArgs in them are pulled)."""
        from tradewind.templating.render import render_template_fields

        render_template_fields(self, context, jinja_env)

    def render_template(self, content: Any, context: dict[str, Any], jinja_env: Any = None) -> Any:
        """Render one value (a string, a container of them, an XComArg) with ``context``."""
        from tradewind.templating.render import render_template

        env = jinja_env if jinja_env is not None else self.get_template_env()
        return render_template(content, context, env, template_ext=tuple(self.template_ext))

    def get_template_env(self, dag: DAG | None = None) -> Any:
        from tradewind.templating.environment import get_template_env

        return get_template_env(dag or self.dag)

    # -- XCom helpers, as on Airflow's BaseOperator -------------------------------------
    @staticmethod
    def xcom_push(
        context: dict[str, Any], key: str, value: Any, execution_date: Any = None
    ) -> None:
        """Push ``value`` under ``key`` for the running task instance."""
        context["ti"].xcom_push(key=key, value=value)

    @staticmethod
    def xcom_pull(
        context: dict[str, Any],
        task_ids: str | Iterable[str] | None = None,
        dag_id: str | None = None,
        key: str = "return_value",
        include_prior_dates: bool | None = None,
    ) -> Any:
        """Pull an XCom through the running task instance."""
        kwargs: dict[str, Any] = {"task_ids": task_ids, "key": key}
        if dag_id is not None:
            kwargs["dag_id"] = dag_id
        if include_prior_dates:
            kwargs["include_prior_dates"] = include_prior_dates
        return context["ti"].xcom_pull(**kwargs)

    # -- misc Airflow API ---------------------------------------------------------------
    @property
    def log(self) -> logging.Logger:
        return self._log

    @property
    def operator_name(self) -> str:
        """What the UI shows: ``@task`` for TaskFlow tasks, else the class name."""
        return getattr(self, "custom_operator_name", None) or type(self).__name__

    @property
    def task_type(self) -> str:
        return type(self).__name__

    @property
    def inherits_from_empty_operator(self) -> bool:
        from tradewind.operators.empty import EmptyOperator

        return isinstance(self, EmptyOperator)

    def dataset_outlets(self) -> list[Dataset]:
        return [o for o in self.outlets if isinstance(o, Dataset)]

    def add_inlets(self, inlets: Iterable[Any]) -> None:
        self.inlets.extend(inlets)

    def add_outlets(self, outlets: Iterable[Any]) -> None:
        self.outlets.extend(outlets)

    @classmethod
    def partial(cls, **kwargs: Any) -> OperatorPartial:
        """Start a mapped task: ``Op.partial(task_id=..., fixed=...).expand(arg=[...])``."""
        from tradewind.sdk.mapping import OperatorPartial

        return OperatorPartial(cls, kwargs)

    def prepare_for_execution(self) -> BaseOperator:
        """A copy to render and run, so the DAG's own object stays unrendered."""
        import copy

        other = copy.copy(self)
        other.__dict__ = dict(self.__dict__)
        return other


def _as_list(value: Any) -> list[Any]:
    if value is None:
        return []
    if isinstance(value, list | tuple | set | frozenset):
        return list(value)
    return [value]


BaseOperator.__init__ = apply_defaults(BaseOperator.__init__)  # type: ignore[method-assign]
