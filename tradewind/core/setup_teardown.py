"""Setup and teardown tasks (Airflow 2.7+) as pure functions of a :class:`DagSpec`.

Three rules of Airflow's follow from a task's place between setups and teardowns:

- a work task waits for every *relevant* setup upstream of it, not only its direct ones, and is
  ``upstream_failed`` (``skipped``) when one of them failed (skipped) — Airflow's "setup
  constraint" in ``trigger_rule_dep.py``. A setup is relevant when it has no teardown, or when
  one of its teardowns is downstream of the task (the task runs inside the setup's scope);
- a teardown's own rule, ``all_done_setup_success``, counts its direct upstream setups
  (:func:`tradewind.core.trigger_rules.evaluate`);
- a run's state is decided by its *effective leaves* (:func:`effective_leaves`): a teardown
  whose failure should not fail the run is left out, and the tasks it tears down count instead.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace

from tradewind.core.graph import closure
from tradewind.core.spec import DagSpec, TaskSpec
from tradewind.core.trigger_rules import Decision, UpstreamCounts

_FAILED = frozenset({"failed", "upstream_failed"})
_SUCCESS = "success"
_SKIPPED = "skipped"
_REMOVED = "removed"


def _ignorable(task: TaskSpec) -> bool:
    """A teardown whose failure leaves the run's state alone."""
    return task.is_teardown and not task.on_failure_fail_dagrun


def effective_leaves(spec: DagSpec) -> tuple[str, ...]:
    """The tasks whose states decide the run's (Airflow's ``DagRun._tis_for_dagrun_state``).

    A task is an effective leaf when every task downstream of it is an ignorable teardown and
    it is not one itself. A DAG of teardowns only falls back to its plain leaves.
    """
    tasks = spec.task_map
    out = tuple(
        t.task_id
        for t in spec.tasks
        if not _ignorable(t) and all(_ignorable(tasks[d]) for d in t.downstream if d in tasks)
    )
    return out or spec.leaves


def relevant_setups(spec: DagSpec, task_id: str) -> tuple[str, ...]:
    """Setups upstream of ``task_id`` (transitively) whose scope it runs in: the setup has no
    teardown, or one of its teardowns is downstream of ``task_id``
    (Airflow's ``get_upstreams_only_setups``)."""
    tasks = spec.task_map
    up_edges = {t.task_id: t.upstream for t in spec.tasks}
    down_edges = {t.task_id: t.downstream for t in spec.tasks}
    downstream_teardowns = {
        d for d in closure(down_edges, task_id) if d in tasks and tasks[d].is_teardown
    }
    out = []
    for up in sorted(closure(up_edges, task_id)):
        setup = tasks.get(up)
        if setup is None or not setup.is_setup:
            continue
        teardowns = {d for d in setup.downstream if d in tasks and tasks[d].is_teardown}
        if not teardowns or teardowns & downstream_teardowns:
            out.append(up)
    return tuple(out)


def indirect_setups(spec: DagSpec) -> dict[str, tuple[str, ...]]:
    """Task id -> its relevant setups that are not direct upstream tasks, for every task that
    has some; teardowns have none (their rule looks at their direct setups)."""
    if not any(t.is_setup for t in spec.tasks):
        return {}
    out: dict[str, tuple[str, ...]] = {}
    for task in spec.tasks:
        if task.is_teardown:
            continue
        direct = set(task.upstream)
        ids = tuple(s for s in relevant_setups(spec, task.task_id) if s not in direct)
        if ids:
            out[task.task_id] = ids
    return out


def with_setup_counts(
    counts: UpstreamCounts,
    task: TaskSpec,
    states: Mapping[str, Mapping[int, str]],
    setup_ids: frozenset[str],
) -> UpstreamCounts:
    """``counts`` with the states of the teardown ``task``'s direct setups, for its rule."""
    found = [
        s for up in task.upstream if up in setup_ids for s in states.get(up, {-1: "none"}).values()
    ]
    return replace(
        counts,
        setups=len(found),
        setup_success=found.count(_SUCCESS),
        setup_skipped=found.count(_SKIPPED),
    )


def setup_constraint(
    setups: tuple[str, ...], states: Mapping[str, Mapping[int, str]], *, map_index: int = -1
) -> Decision | None:
    """What a task's indirect setups decide: ``upstream_failed`` when one failed, ``skipped``
    when one skipped, ``wait`` until all succeeded, else None (its own trigger rule decides)."""
    found = [s for setup in setups for s in (states.get(setup) or {-1: "none"}).values()]
    if any(s in _FAILED for s in found):
        return Decision.UPSTREAM_FAILED
    if _SKIPPED in found:
        return Decision.SKIPPED
    success = sum(1 for s in found if s == _SUCCESS)
    removed = sum(1 for s in found if s == _REMOVED) if map_index > -1 else 0
    if len(found) - success - removed > 0:
        return Decision.WAIT
    return None


def setups_and_teardowns(spec: DagSpec, task_ids: set[str]) -> set[str]:
    """What clearing ``task_ids`` also clears, as Airflow does: the setups each task runs under
    with their teardowns, and the teardowns of each setup among them."""
    tasks = spec.task_map
    out: set[str] = set()
    for task_id in task_ids:
        task = tasks.get(task_id)
        if task is None:
            continue
        setups = list(relevant_setups(spec, task_id))
        if task.is_setup:
            setups.append(task_id)
        for setup in setups:
            out.add(setup)
            out.update(d for d in tasks[setup].downstream if d in tasks and tasks[d].is_teardown)
    return out - set(task_ids)
