"""What moves next in one DAG run: a pure function of the spec and the run's task-instance rows.

:func:`decide` walks the tasks in dependency order over an in-memory copy of the states, so a
skip or an upstream failure propagates down the whole graph in one call (Airflow needs one
scheduler loop per level). It decides:

- ``none`` -> ``scheduled`` when the trigger rule passes and ``depends_on_past`` /
  ``wait_for_downstream`` are met; ``none`` -> ``skipped`` / ``upstream_failed`` when the rule
  says the task can never run;
- ``up_for_retry`` / ``up_for_reschedule`` -> ``scheduled`` once ``next_try_at <= now``;
- the expansion of tasks mapped over an upstream's result (given the lengths in ``map_lengths``);
- rows to add for tasks new in the spec, rows to mark ``removed`` (their task left the spec) or
  to restore (``removed`` but back in the spec);
- the run's resulting state, as Airflow's ``DagRun.update_state``: failed once nothing is
  unfinished and a leaf failed or is upstream_failed; success once nothing is unfinished and
  every leaf succeeded or was skipped (teardowns aside: see ``core.setup_teardown``); failed
  on a deadlock (only ``none`` instances left and
  none of them can ever move).

Differences from Airflow, on purpose: a previous run without an instance of the task (it was
added since) counts as met for ``depends_on_past``, and downstream tasks missing in the previous
run are ignored by ``wait_for_downstream``, so that adding a task cannot stall a DAG forever.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from itertools import chain
from typing import NamedTuple

from tradewind.core.run_shape import DagShape, shape_of
from tradewind.core.setup_teardown import setup_constraint, with_setup_counts
from tradewind.core.spec import DagSpec, TaskSpec
from tradewind.core.states import (
    FINISHED,
    UNFINISHED,
    DagRunState,
    TaskState,
    is_task_transition_allowed,
)
from tradewind.core.trigger_rules import Decision, TriggerRule, UpstreamCounts, evaluate

T = TaskState
# plain strings: an enum member's ``.value`` is a descriptor call, and this runs per instance
_NONE = T.NONE.value
_SCHEDULED = T.SCHEDULED.value
_SUCCESS = T.SUCCESS.value
_SKIPPED = T.SKIPPED.value
_RETRY = T.UP_FOR_RETRY.value
_RESCHEDULE = T.UP_FOR_RESCHEDULE.value
_UPSTREAM_FAILED = T.UPSTREAM_FAILED.value
_REMOVED = T.REMOVED.value
_PAST_OK = frozenset({_SUCCESS, _SKIPPED})
#: the states the walk over the tasks in :func:`decide` acts on
_DECIDED = frozenset({_NONE, _RETRY, _RESCHEDULE})
_WAITING = (_RETRY, _RESCHEDULE)
_LEAF_FAILED = frozenset({T.FAILED.value, _UPSTREAM_FAILED})
_UNFINISHED = frozenset(s.value for s in UNFINISHED)
_FINISHED = frozenset(s.value for s in FINISHED)

#: (task_id, map_index)
Slot = tuple[str, int]


class TIRow(NamedTuple):
    """The part of a task-instance row that readiness looks at (a tuple, in the column order
    of the metastore query: cheap to build from a database row)."""

    task_id: str
    map_index: int = -1
    state: str = "none"
    try_number: int = 0
    next_try_at: datetime | None = None

    @property
    def slot(self) -> Slot:
        return (self.task_id, self.map_index)


@dataclass
class RunDecisions:
    """Everything :func:`decide` wants written, grouped by the write it needs."""

    #: none -> scheduled (a new try: try_number + 1)
    schedule: list[Slot] = field(default_factory=list)
    #: up_for_retry -> scheduled (a new try: try_number + 1)
    retry: list[Slot] = field(default_factory=list)
    #: up_for_reschedule -> scheduled (the same try)
    reschedule: list[Slot] = field(default_factory=list)
    #: none -> skipped
    skip: list[Slot] = field(default_factory=list)
    #: none -> upstream_failed
    upstream_failed: list[Slot] = field(default_factory=list)
    #: -> removed (task left the spec, or a mapped index its upstream no longer produces)
    remove: list[Slot] = field(default_factory=list)
    #: removed -> none (the task is back in the spec)
    restore: list[Slot] = field(default_factory=list)
    #: new rows to insert with state none (tasks new in the spec)
    add: list[Slot] = field(default_factory=list)
    #: task_id -> n: replace the -1 placeholder by map indexes 0..n-1 (they are in ``schedule``)
    expand: dict[str, int] = field(default_factory=dict)
    #: SUCCESS or FAILED once the run is decided; None while it runs on
    run_state: DagRunState | None = None
    #: the run failed because nothing can move any more
    deadlocked: bool = False
    #: the earliest next_try_at of a retry or reschedule not yet due
    next_check_at: datetime | None = None
    #: upstream-mapped tasks ready to expand whose length was not given
    awaiting_lengths: list[str] = field(default_factory=list)

    @property
    def changed(self) -> bool:
        return bool(
            self.schedule
            or self.retry
            or self.reschedule
            or self.skip
            or self.upstream_failed
            or self.remove
            or self.restore
            or self.add
            or self.expand
        )


def expansion_candidates(spec: DagSpec, rows: Sequence[TIRow]) -> dict[str, tuple[str, ...]]:
    """Upstream-mapped tasks whose ``-1`` placeholder waits in ``none`` while every task it maps
    over has succeeded: the caller looks up their lengths and passes them to :func:`decide`."""
    if not shape_of(spec).maps_upstream:
        return {}
    by_task = _group(rows)
    out: dict[str, tuple[str, ...]] = {}
    for task in spec.tasks:
        if task.mapped != "upstream" or not task.map_upstream:
            continue
        placeholder = by_task.get(task.task_id, {}).get(-1)
        if placeholder != _NONE:
            continue
        ups = [by_task.get(up, {}) for up in task.map_upstream]
        if all(states and all(s == _SUCCESS for s in states.values()) for states in ups):
            out[task.task_id] = task.map_upstream
    return out


def decide(
    spec: DagSpec,
    rows: Sequence[TIRow],
    *,
    now: datetime,
    past_rows: Sequence[TIRow] | None = None,
    map_lengths: Mapping[str, int | None] | None = None,
) -> RunDecisions:
    """Decide what moves in one run.

    ``past_rows`` are the previous run's instances (None: there is no previous run).
    ``map_lengths`` maps an upstream-mapped task id to how many instances it expands into
    (None: the upstream's value cannot be mapped over, which fails the task).
    """
    out = RunDecisions()
    tasks = spec.task_map
    shape = shape_of(spec)
    states: dict[str, dict[int, str]] = _group(rows)
    row_of: dict[Slot, TIRow] | None = None  # built when a retry or reschedule needs it
    map_lengths = map_lengths or {}
    past = _group(past_rows) if past_rows is not None else None

    # no literal mapping, a row for every task and none for another, none removed: no structure
    # change (the common case, without a look at every task)
    if shape.literal or states.keys() != shape.known or _REMOVED in {r.state for r in rows}:
        _structure(spec, states, out)
    # only the tasks with an instance in a state decided below need a look
    active = {row.task_id for row in rows if row.state in _DECIDED}
    active.update(task_id for task_id, _ in out.add)
    active.update(task_id for task_id, _ in out.restore)

    for task_id in shape.order:
        if task_id not in active:
            continue
        mine = states.get(task_id)
        if not mine:
            continue
        task = tasks[task_id]
        counts: UpstreamCounts | None = None
        for map_index in sorted(mine) if len(mine) > 1 else list(mine):
            state = mine[map_index]
            if state in _WAITING:
                if row_of is None:
                    row_of = {(r.task_id, r.map_index): r for r in rows if r.state in _WAITING}
                _due(out, row_of.get((task_id, map_index)), state, now)
                continue
            if state != _NONE:
                continue
            if counts is None or task.map_group:  # per index in a mapped task group
                counts = _upstream_counts(task, states, shape, tasks, map_index)
            _decide_none(out, task, map_index, counts, states, past, map_lengths, spec)

    _run_state(spec, states, out)
    return out


# -- steps ------------------------------------------------------------------------------


def _structure(spec: DagSpec, states: dict[str, dict[int, str]], out: RunDecisions) -> None:
    """Rows for tasks (or literal map indexes) new in the spec; rows to mark removed (task or
    index left the spec) or to restore (removed, but back in the spec)."""
    for task in spec.tasks:
        mine = states.setdefault(task.task_id, {})
        if task.mapped == "literal":
            wanted = set(range(task.map_length or 0)) or {-1}
            for map_index, state in mine.items():
                if map_index not in wanted:
                    _remove(out, task.task_id, map_index, state, mine)
        elif not mine:
            wanted = {-1}
        else:
            wanted = set()
        for map_index in sorted(wanted - set(mine)) if wanted else ():
            out.add.append((task.task_id, map_index))
            mine[map_index] = _NONE
            if task.mapped == "literal" and map_index == -1:
                # an empty literal list: nothing to run, as create_dagrun marks it
                out.skip.append((task.task_id, map_index))
                mine[map_index] = _SKIPPED
        if _REMOVED not in mine.values():
            continue
        for map_index, state in mine.items():
            if state == _REMOVED and (task.mapped != "literal" or map_index in wanted):
                out.restore.append((task.task_id, map_index))
                mine[map_index] = _NONE
    known = shape_of(spec).known
    for task_id, mine in states.items():
        if task_id not in known:
            for map_index, state in mine.items():
                _remove(out, task_id, map_index, state, mine)


def _remove(
    out: RunDecisions, task_id: str, map_index: int, state: str, mine: dict[int, str]
) -> None:
    if state != _REMOVED and is_task_transition_allowed(state, T.REMOVED):
        out.remove.append((task_id, map_index))
        mine[map_index] = _REMOVED


def _due(out: RunDecisions, row: TIRow | None, state: str, now: datetime) -> None:
    if row is None:
        return
    if row.next_try_at is None or row.next_try_at <= now:
        (out.retry if state == _RETRY else out.reschedule).append((row.task_id, row.map_index))
    elif out.next_check_at is None or row.next_try_at < out.next_check_at:
        out.next_check_at = row.next_try_at


def _upstream_counts(
    task: TaskSpec,
    states: Mapping[str, Mapping[int, str]],
    shape: DagShape,
    tasks: Mapping[str, TaskSpec],
    map_index: int = -1,
) -> UpstreamCounts:
    """Counts over every instance of every upstream task (a missing task counts unfinished);
    for a teardown's rule, also over those of its direct setups. An upstream in the same mapped
    task group counts at the task's own map index only (its placeholder, before the group is
    expanded, does not wait on it: both expand from the group's input)."""
    upstream_states: list[str] = []
    for up in task.upstream:
        mine = states.get(up)
        if task.map_group is not None and tasks[up].map_group == task.map_group:
            if map_index >= 0:
                upstream_states.append(mine.get(map_index, _NONE) if mine else _NONE)
            continue
        upstream_states.extend(mine.values() if mine else [_NONE])
    counts = UpstreamCounts.from_states(upstream_states)
    if task.trigger_rule != TriggerRule.ALL_DONE_SETUP_SUCCESS.value:
        return counts
    return with_setup_counts(counts, task, states, shape.setup_ids)


def _decide_none(
    out: RunDecisions,
    task: TaskSpec,
    map_index: int,
    counts: UpstreamCounts,
    states: dict[str, dict[int, str]],
    past: Mapping[str, Mapping[int, str]] | None,
    map_lengths: Mapping[str, int | None],
    spec: DagSpec,
) -> None:
    slot = (task.task_id, map_index)
    decision = evaluate(task.trigger_rule, counts, map_index=map_index)
    setups = shape_of(spec).indirect_setups.get(task.task_id)
    if setups:
        # Airflow's setup constraint: the setups it runs under, first
        constraint = setup_constraint(setups, states, map_index=map_index)
        if constraint is not None and (
            constraint is not Decision.WAIT or decision is Decision.READY
        ):
            decision = constraint
    if decision is Decision.WAIT:
        return
    if decision is not Decision.READY:
        _set(out, states, slot, decision.value)
        return
    if not _past_met(task, map_index, past, spec):
        return
    if task.mapped == "upstream" and map_index == -1:
        _expand(out, task, states, map_lengths)
        return
    out.schedule.append(slot)
    states[task.task_id][map_index] = _SCHEDULED


def _set(out: RunDecisions, states: dict[str, dict[int, str]], slot: Slot, state: str) -> None:
    {
        _SKIPPED: out.skip,
        _UPSTREAM_FAILED: out.upstream_failed,
        _REMOVED: out.remove,
    }[state].append(slot)
    states[slot[0]][slot[1]] = state


def _expand(
    out: RunDecisions,
    task: TaskSpec,
    states: dict[str, dict[int, str]],
    map_lengths: Mapping[str, int | None],
) -> None:
    """Expand a placeholder whose trigger rule passed, once what it maps over is known."""
    slot = (task.task_id, -1)
    ups = [states.get(up, {}) for up in task.map_upstream]
    if any(not mine or any(s not in _FINISHED for s in mine.values()) for mine in ups):
        return  # what it maps over has not finished yet
    if any(s != _SUCCESS for mine in ups for s in mine.values()):
        skipped_only = all(s in (_SUCCESS, _SKIPPED) for mine in ups for s in mine.values())
        _set(out, states, slot, _SKIPPED if skipped_only else _UPSTREAM_FAILED)
        return
    if task.task_id not in map_lengths:
        out.awaiting_lengths.append(task.task_id)  # the caller has not looked it up yet
        return
    length = map_lengths[task.task_id]
    if length is None:
        _set(out, states, slot, _UPSTREAM_FAILED)
    elif length == 0:
        _set(out, states, slot, _SKIPPED)
    else:
        out.expand[task.task_id] = length
        mine = states[task.task_id]
        del mine[-1]
        for i in range(length):
            mine[i] = _SCHEDULED
            out.schedule.append((task.task_id, i))


def _past_met(
    task: TaskSpec,
    map_index: int,
    past: Mapping[str, Mapping[int, str]] | None,
    spec: DagSpec,
) -> bool:
    """``depends_on_past`` / ``wait_for_downstream`` against the previous run."""
    if not (task.depends_on_past or task.wait_for_downstream) or past is None:
        return True
    previous = past.get(task.task_id, {}).get(map_index)
    if previous is None:
        return True
    if previous not in _PAST_OK:
        return False
    if task.wait_for_downstream:
        for down in task.downstream:
            if any(s not in _PAST_OK for s in past.get(down, {}).values()):
                return False
    return True


def _run_state(spec: DagSpec, states: dict[str, dict[int, str]], out: RunDecisions) -> None:
    tasks = spec.task_map
    live = (
        states if states.keys() <= tasks.keys() else {t: m for t, m in states.items() if t in tasks}
    )
    unfinished = set(chain.from_iterable(map(dict.values, live.values()))) & _UNFINISHED
    if not unfinished:
        leaf_ids = shape_of(spec).effective_leaves
        leaves = (state for tid in leaf_ids for state in live.get(tid, {}).values())
        failed = any(state in _LEAF_FAILED for state in leaves)
        out.run_state = DagRunState.FAILED if failed else DagRunState.SUCCESS
        return
    if out.changed or out.awaiting_lengths or unfinished != {_NONE}:
        return
    # nothing moved and only ``none`` instances are left: stuck for good, unless one of them
    # waits for the previous run
    waiting = [tid for tid, mine in live.items() if _NONE in mine.values()]
    if not any(tasks[tid].depends_on_past or tasks[tid].wait_for_downstream for tid in waiting):
        out.run_state = DagRunState.FAILED
        out.deadlocked = True


def _group(rows: Sequence[TIRow]) -> dict[str, dict[int, str]]:
    out: dict[str, dict[int, str]] = {}
    setdefault = out.setdefault
    for row in rows:
        setdefault(row.task_id, {})[row.map_index] = str(row.state)
    return out
