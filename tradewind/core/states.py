"""Task-instance and DAG-run states, and the one table of allowed transitions.

Every state write in the code base goes through ``tradewind.metastore.transitions``, which
asks :func:`check_task_transition` / :func:`check_run_transition` first.
"""

from __future__ import annotations

from enum import StrEnum

from tradewind.errors import IllegalTransition


class TaskState(StrEnum):
    NONE = "none"
    SCHEDULED = "scheduled"
    QUEUED = "queued"
    RUNNING = "running"
    SUCCESS = "success"
    FAILED = "failed"
    SKIPPED = "skipped"
    UP_FOR_RETRY = "up_for_retry"
    UP_FOR_RESCHEDULE = "up_for_reschedule"
    UPSTREAM_FAILED = "upstream_failed"
    REMOVED = "removed"


class DagRunState(StrEnum):
    QUEUED = "queued"
    RUNNING = "running"
    SUCCESS = "success"
    FAILED = "failed"


T = TaskState

#: States after which a try will not run again unless cleared.
FINISHED: frozenset[TaskState] = frozenset(
    {T.SUCCESS, T.FAILED, T.SKIPPED, T.UPSTREAM_FAILED, T.REMOVED}
)
#: States that hold an executor or worker slot.
OCCUPYING: frozenset[TaskState] = frozenset({T.QUEUED, T.RUNNING})
#: States that count as "not yet done" for a run.
UNFINISHED: frozenset[TaskState] = frozenset(
    {T.NONE, T.SCHEDULED, T.QUEUED, T.RUNNING, T.UP_FOR_RETRY, T.UP_FOR_RESCHEDULE}
)

_ANY = frozenset(TaskState)

#: from-state -> states it may move to. Clearing (-> NONE) and marking (-> SUCCESS / FAILED /
#: SKIPPED by a person) are allowed from every state; they are listed here too so that the table
#: stays the single source of truth.
TASK_TRANSITIONS: dict[TaskState, frozenset[TaskState]] = {
    T.NONE: frozenset({T.SCHEDULED, T.SKIPPED, T.UPSTREAM_FAILED, T.REMOVED, T.SUCCESS, T.FAILED}),
    T.SCHEDULED: frozenset(
        {T.QUEUED, T.NONE, T.SKIPPED, T.UPSTREAM_FAILED, T.REMOVED, T.SUCCESS, T.FAILED}
    ),
    T.QUEUED: frozenset({T.RUNNING, T.SCHEDULED, T.NONE, T.FAILED, T.SUCCESS, T.SKIPPED}),
    T.RUNNING: frozenset(
        {
            T.SUCCESS,
            T.FAILED,
            T.SKIPPED,
            T.UP_FOR_RETRY,
            T.UP_FOR_RESCHEDULE,
            T.NONE,
            T.SCHEDULED,
        }
    ),
    T.UP_FOR_RETRY: frozenset({T.SCHEDULED, T.NONE, T.FAILED, T.SUCCESS, T.SKIPPED}),
    T.UP_FOR_RESCHEDULE: frozenset({T.SCHEDULED, T.NONE, T.FAILED, T.SUCCESS, T.SKIPPED}),
    T.SUCCESS: frozenset({T.NONE, T.FAILED, T.SKIPPED, T.REMOVED}),
    T.FAILED: frozenset({T.NONE, T.SUCCESS, T.SKIPPED, T.REMOVED}),
    T.SKIPPED: frozenset({T.NONE, T.SUCCESS, T.FAILED, T.REMOVED}),
    T.UPSTREAM_FAILED: frozenset({T.NONE, T.SUCCESS, T.FAILED, T.SKIPPED, T.REMOVED}),
    T.REMOVED: frozenset({T.NONE, T.SCHEDULED}),
}

R = DagRunState
RUN_TRANSITIONS: dict[DagRunState, frozenset[DagRunState]] = {
    R.QUEUED: frozenset({R.RUNNING, R.SUCCESS, R.FAILED}),
    R.RUNNING: frozenset({R.SUCCESS, R.FAILED, R.QUEUED}),
    R.SUCCESS: frozenset({R.QUEUED, R.RUNNING, R.FAILED}),
    R.FAILED: frozenset({R.QUEUED, R.RUNNING, R.SUCCESS}),
}


def is_task_transition_allowed(src: TaskState | str | None, dst: TaskState | str) -> bool:
    src_state = TaskState(src) if src is not None else TaskState.NONE
    return TaskState(dst) in TASK_TRANSITIONS[src_state]


def check_task_transition(src: TaskState | str | None, dst: TaskState | str) -> None:
    """Raise :class:`IllegalTransition` naming both states unless ``src -> dst`` is allowed."""
    if not is_task_transition_allowed(src, dst):
        raise IllegalTransition(
            f"a task instance cannot go from {TaskState(src or 'none').value} "
            f"to {TaskState(dst).value}"
        )


def check_run_transition(src: DagRunState | str, dst: DagRunState | str) -> None:
    if DagRunState(dst) not in RUN_TRANSITIONS[DagRunState(src)]:
        raise IllegalTransition(
            f"a DAG run cannot go from {DagRunState(src).value} to {DagRunState(dst).value}"
        )


#: Airflow's colours, used by the dashboard and the CLI tables.
STATE_COLORS: dict[str, str] = {
    "none": "#d3d3d3",
    "scheduled": "#d2b48c",
    "queued": "#808080",
    "running": "#00ff00",
    "success": "#008000",
    "failed": "#ff0000",
    "skipped": "#ff69b4",
    "up_for_retry": "#ffd700",
    "up_for_reschedule": "#40e0d0",
    "upstream_failed": "#ffa500",
    "removed": "#d3d3d3",
}
