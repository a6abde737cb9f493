"""What readiness needs of a DAG version on every pass, worked out once per spec, and the cheap
test for a run that no readiness step can move.

A scheduler looks at every active run on every pass, and most passes of a big run find nothing
to do: its instances are queued, running or done. :func:`is_settled` says so from the states
alone, without the graph walk of :func:`tradewind.core.readiness.decide`; when it returns True,
``decide`` would have decided nothing at all (no structure change, no move, no run state, no next
check), so the caller may skip it. The test is exact, not a heuristic: every case it is not
sure of answers False and goes through ``decide``.
"""

from __future__ import annotations

from collections import OrderedDict, deque
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from threading import Lock
from typing import Any

from tradewind.core.setup_teardown import effective_leaves, indirect_setups
from tradewind.core.spec import DagSpec
from tradewind.core.states import UNFINISHED, TaskState, is_task_transition_allowed

T = TaskState
_REMOVED = T.REMOVED.value
#: the states ``decide`` acts on by itself (``none`` -> scheduled/skipped/upstream_failed or an
#: expansion; retry/reschedule -> scheduled or a next check)
_MOVABLE = frozenset({T.NONE.value, T.UP_FOR_RETRY.value, T.UP_FOR_RESCHEDULE.value})
#: states a row leaves for ``removed`` when its task (or literal map index) left the spec
_REMOVABLE = frozenset(
    s.value for s in TaskState if s != T.REMOVED and is_task_transition_allowed(s, T.REMOVED)
)
_UNFINISHED = frozenset(s.value for s in UNFINISHED)
#: what the vectorised test below must not see in a run (then the per-row test decides)
_NOT_PLAIN = _MOVABLE | {_REMOVED}


@dataclass(frozen=True)
class DagShape:
    """The facts of one spec that readiness looks up on every pass."""

    #: task ids of the spec
    known: frozenset[str]
    #: task ids upstream first (spec order among equals); a cycle's members go last
    order: tuple[str, ...]
    #: literal-mapped task id -> the map indexes its rows must have ({-1} for an empty list)
    literal: Mapping[str, frozenset[int]]
    #: some task depends on the previous run (``depends_on_past`` / ``wait_for_downstream``)
    needs_past: bool
    #: some task is mapped over an upstream task's result
    maps_upstream: bool
    #: task id -> the queue its tries are sent to
    queue_of: Mapping[str, str]
    #: the tasks whose states decide the run's (teardowns aside)
    effective_leaves: tuple[str, ...] = ()
    #: task id -> the setups it waits for besides its direct upstream tasks
    indirect_setups: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    #: ids of setup tasks
    setup_ids: frozenset[str] = frozenset()


_CACHE_SIZE = 128
_cache: OrderedDict[int, tuple[DagSpec, DagShape]] = OrderedDict()
_cache_lock = Lock()


def shape_of(spec: DagSpec) -> DagShape:
    """The shape of ``spec``, computed once per spec object (the scheduler keeps one per DAG
    version, and a spec never changes)."""
    key = id(spec)
    hit = _cache.get(key)
    if hit is not None and hit[0] is spec:  # the entry holds the spec: its id is not reused
        return hit[1]
    shape = DagShape(
        known=frozenset(spec.task_ids),
        order=tuple(topological(spec)),
        literal={
            t.task_id: frozenset(range(t.map_length or 0)) or frozenset({-1})
            for t in spec.tasks
            if t.mapped == "literal"
        },
        needs_past=any(t.depends_on_past or t.wait_for_downstream for t in spec.tasks),
        maps_upstream=any(t.mapped == "upstream" and t.map_upstream for t in spec.tasks),
        queue_of={t.task_id: t.queue for t in spec.tasks},
        effective_leaves=effective_leaves(spec),
        indirect_setups=indirect_setups(spec),
        setup_ids=frozenset(t.task_id for t in spec.tasks if t.is_setup),
    )
    with _cache_lock:
        _cache[key] = (spec, shape)
        while len(_cache) > _CACHE_SIZE:
            _cache.popitem(last=False)
    return shape


def topological(spec: DagSpec) -> list[str]:
    """Task ids upstream first (spec order among equals); a cycle's members go last."""
    tasks = spec.task_map
    indegree = {tid: sum(1 for up in t.upstream if up in tasks) for tid, t in tasks.items()}
    ready = deque(tid for tid in spec.task_ids if indegree[tid] == 0)
    order: list[str] = []
    while ready:
        tid = ready.popleft()
        order.append(tid)
        for down in tasks[tid].downstream:
            if down in indegree:
                indegree[down] -= 1
                if indegree[down] == 0:
                    ready.append(down)
    if len(order) < len(tasks):
        seen = set(order)
        order.extend(tid for tid in spec.task_ids if tid not in seen)
    return order


def is_settled(spec: DagSpec, rows: Sequence[Sequence[Any]]) -> bool:
    """Whether ``decide(spec, rows, ...)`` would decide nothing, whatever ``now``, the previous
    run and the map lengths: no row to add, remove or restore, no instance in a state it moves
    (none, up_for_retry, up_for_reschedule), and the run not finished (some instance of a task
    of the spec is unfinished, so neither success nor failure nor a deadlock).

    ``rows`` are task-instance rows whose first three items are task id, map index and state
    (a :class:`~tradewind.core.readiness.TIRow`, or a database row in that order)."""
    shape = shape_of(spec)
    if len(rows) < len(shape.known) or not rows:
        return False  # every task of the spec gets a row
    task_ids, _, states = list(zip(*rows, strict=False))[:3]
    seen = set(states)
    if not shape.literal and seen.isdisjoint(_NOT_PLAIN) and shape.known.issuperset(task_ids):
        # the common case, without a Python loop over the rows: no mapped literal task, every
        # row a task of the spec, none of them moving, removed or restored
        return len(set(task_ids)) == len(shape.known) and not seen.isdisjoint(_UNFINISHED)
    if not seen.isdisjoint(_MOVABLE):
        return False
    return _settled_rows(shape, rows)


def _settled_rows(shape: DagShape, rows: Iterable[Sequence[Any]]) -> bool:
    """:func:`is_settled` one row at a time, for runs with mapped literal tasks, rows of tasks
    that left the spec, or removed rows; no row is in a state ``decide`` moves."""
    known, literal = shape.known, shape.literal
    present: set[str] = set()
    indexes: dict[str, set[int]] = {tid: set() for tid in literal}
    unfinished = False
    for row in rows:
        task_id, map_index, state = row[0], row[1], row[2]
        if task_id not in known:
            if state in _REMOVABLE:
                return False  # its task left the spec: it would be marked removed
            continue
        present.add(task_id)
        wanted = literal.get(task_id)
        if wanted is None:
            if state == _REMOVED:
                return False  # its task is back in the spec: it would be restored
        elif map_index in wanted:
            if state == _REMOVED:
                return False  # a wanted map index: it would be restored
            indexes[task_id].add(map_index)
        elif state in _REMOVABLE:
            return False  # a map index the literal list no longer has: it would be removed
        unfinished = unfinished or state in _UNFINISHED
    if len(present) != len(known):
        return False  # a task without a row: one would be added
    if any(indexes[tid] != wanted for tid, wanted in literal.items()):
        return False  # a wanted map index without a row: one would be added
    return unfinished
