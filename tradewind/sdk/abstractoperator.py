"""What every DAG node shares (operators and mapped operators): id, DAG, group and edges."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

from tradewind.errors import CycleError, DagDefinitionError
from tradewind.sdk.dependencies import DependencyMixin
from tradewind.sdk.setup_teardown import (
    SetupTeardownContext,
    SetupTeardownMethod,
    mark_setup,
    mark_teardown,
)

if TYPE_CHECKING:
    from tradewind.sdk.dag import DAG
    from tradewind.sdk.taskgroup import TaskGroup
    from tradewind.sdk.xcom_arg import XComArg

_KEY_RE = re.compile(r"^[\w.-]+$")
MAX_ID_LENGTH = 250


def validate_key(key: Any, what: str = "task_id") -> str:
    """Airflow's rule for ids: letters, digits, ``_ . -``; at most 250 characters."""
    if not isinstance(key, str):
        raise DagDefinitionError(f"The {what} must be a string, got {key!r}")
    if not key or len(key) > MAX_ID_LENGTH or not _KEY_RE.match(key):
        raise DagDefinitionError(
            f"The {what} {key!r} is not valid",
            hint=f"a {what} is 1-{MAX_ID_LENGTH} characters of letters, digits, "
            "underscores, dots and dashes",
        )
    return key


class AbstractOperator(DependencyMixin):
    """A node of a DAG: ``task_id``, ``dag``, ``task_group`` and the ids of its neighbours."""

    task_id: str
    _dag: DAG | None = None
    task_group: TaskGroup | None = None
    is_mapped: bool = False

    def _init_node(self) -> None:
        self.upstream_task_ids: set[str] = set()
        self.downstream_task_ids: set[str] = set()

    # -- DAG membership ----------------------------------------------------------------
    @property
    def dag(self) -> DAG | None:
        return self._dag

    @dag.setter
    def dag(self, dag: DAG | None) -> None:
        if dag is None or dag is self._dag:
            return
        if self._dag is not None:
            raise DagDefinitionError(
                f"Task {self.task_id!r} is already in DAG {self._dag.dag_id!r}; "
                f"it cannot join DAG {dag.dag_id!r}"
            )
        dag.add_task(self)

    def has_dag(self) -> bool:
        return self._dag is not None

    @property
    def dag_id(self) -> str:
        return self._dag.dag_id if self._dag is not None else f"adhoc_{self.owner}"

    @property
    def label(self) -> str:
        """The id without its TaskGroup prefix."""
        group = self.task_group
        if group is not None and group.group_id and group.prefix_group_id:
            prefix = group.group_id + "."
            if self.task_id.startswith(prefix):
                return self.task_id[len(prefix) :]
        return self.task_id

    @property
    def node_id(self) -> str:
        return self.task_id

    # -- dependencies ------------------------------------------------------------------
    @property
    def roots(self) -> list[AbstractOperator]:
        return [self]

    @property
    def leaves(self) -> list[AbstractOperator]:
        return [self]

    def _add_downstream_edge(self, other: AbstractOperator) -> None:
        if other.task_id == self.task_id:
            raise CycleError(
                f"Cycle detected in DAG {self.dag_id!r}: {self.task_id} >> {self.task_id}",
                hint="a task cannot depend on itself",
            )
        if self._dag is not None and other._dag is not None and self._dag is not other._dag:
            raise DagDefinitionError(
                f"Tried to set relationships between tasks in more than one DAG: "
                f"{self.task_id!r} ({self._dag.dag_id}) and {other.task_id!r} "
                f"({other._dag.dag_id})"
            )
        if self._dag is None and other._dag is not None:
            self.dag = other._dag
        elif other._dag is None and self._dag is not None:
            other.dag = self._dag
        self.downstream_task_ids.add(other.task_id)
        other.upstream_task_ids.add(self.task_id)

    def _relatives(self, upstream: bool) -> Iterator[AbstractOperator]:
        dag = self._dag
        ids = self.upstream_task_ids if upstream else self.downstream_task_ids
        if dag is None:
            return iter(())
        return (dag.task_dict[i] for i in sorted(ids) if i in dag.task_dict)

    @property
    def upstream_list(self) -> list[AbstractOperator]:
        return list(self._relatives(upstream=True))

    @property
    def downstream_list(self) -> list[AbstractOperator]:
        return list(self._relatives(upstream=False))

    def get_direct_relative_ids(self, upstream: bool = False) -> set[str]:
        return set(self.upstream_task_ids if upstream else self.downstream_task_ids)

    def get_direct_relatives(self, upstream: bool = False) -> list[AbstractOperator]:
        return list(self._relatives(upstream))

    def get_flat_relative_ids(self, upstream: bool = False) -> set[str]:
        """Ids of every task upstream (or downstream) of this one, transitively."""
        if self._dag is None:
            return self.get_direct_relative_ids(upstream)
        from tradewind.core.graph import closure

        return closure(self._dag.edges(upstream=upstream), self.task_id)

    def get_flat_relatives(self, upstream: bool = False) -> list[AbstractOperator]:
        dag = self._dag
        if dag is None:
            return []
        return [dag.task_dict[i] for i in sorted(self.get_flat_relative_ids(upstream))]

    # -- setup and teardown (Airflow 2.7) ----------------------------------------------
    _is_setup: bool = False
    _is_teardown: bool = False
    _on_failure_fail_dagrun: bool = False

    @property
    def is_setup(self) -> bool:
        return self._is_setup

    @is_setup.setter
    def is_setup(self, value: bool) -> None:
        if value and self._is_teardown:
            raise DagDefinitionError(
                f"Cannot mark task {self.task_id!r} as setup; task is already a teardown."
            )
        self._is_setup = bool(value)

    @property
    def is_teardown(self) -> bool:
        return self._is_teardown

    @is_teardown.setter
    def is_teardown(self, value: bool) -> None:
        if value and self._is_setup:
            raise DagDefinitionError(
                f"Cannot mark task {self.task_id!r} as teardown; task is already a setup."
            )
        self._is_teardown = bool(value)

    @property
    def on_failure_fail_dagrun(self) -> bool:
        """Whether this teardown's failure fails the run (by default it does not)."""
        return self._on_failure_fail_dagrun

    @on_failure_fail_dagrun.setter
    def on_failure_fail_dagrun(self, value: bool) -> None:
        if value and not self._is_teardown:
            raise DagDefinitionError(
                f"Cannot set task on_failure_fail_dagrun for {self.task_id!r} "
                "because it is not a teardown task."
            )
        self._on_failure_fail_dagrun = bool(value)

    as_setup = SetupTeardownMethod(mark_setup, ())
    as_teardown = SetupTeardownMethod(mark_teardown, ("setups", "on_failure_fail_dagrun"))

    def __enter__(self) -> type[SetupTeardownContext]:
        SetupTeardownContext.enter(self)
        return SetupTeardownContext

    def __exit__(self, *exc: object) -> None:
        SetupTeardownContext.exit()

    @property
    def output(self) -> XComArg:
        """The XComArg of this task's return value."""
        from tradewind.sdk.xcom_arg import XComArg

        return XComArg(self)

    def __repr__(self) -> str:
        return f"<Task({type(self).__name__}): {self.task_id}>"
