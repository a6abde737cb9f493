"""Setup/teardown semantics and ``all_done_min_one_success`` decided from plain rows, as in
Airflow: the two trigger rules, the setup constraint on work tasks, the run's state and what
clearing takes along."""

from __future__ import annotations

from dataclasses import replace

import pytest

from tradewind.core.setup_teardown import (
    effective_leaves,
    indirect_setups,
    relevant_setups,
    setups_and_teardowns,
)
from tradewind.core.spec import DagSpec
from tradewind.core.states import DagRunState
from tradewind.core.trigger_rules import Decision, TriggerRule, evaluate

from .test_readiness import dag, rows, run, tids
from .test_trigger_rules import counts

R = Decision.READY
W = Decision.WAIT
S = Decision.SKIPPED
U = Decision.UPSTREAM_FAILED

SETUP = {"is_setup": True}
TEARDOWN = {"is_teardown": True, "trigger_rule": "all_done_setup_success"}


# -- the trigger rules ---------------------------------------------------------------------------

MIN_ONE_SUCCESS: list[tuple[str, Decision]] = [
    ("s1 f1", R),
    ("s1 u1", R),
    ("s2", R),
    ("s1 n1", W),
    ("f1 n1", W),
    ("s1 k1", S),  # a skipped upstream skips it, as in Airflow's implementation
    ("k2", S),
    ("f2", U),
    ("f1 u1", U),
]


@pytest.mark.parametrize(("upstream", "expected"), MIN_ONE_SUCCESS)
def test_all_done_min_one_success_decides_as_airflow(upstream: str, expected: Decision) -> None:
    assert evaluate("all_done_min_one_success", counts(upstream)) is expected


# (upstream counts, setups among them: total success skipped, expected)
SETUP_SUCCESS: list[tuple[str, tuple[int, int, int], Decision]] = [
    ("s1 f1", (1, 1, 0), R),  # the work failed, the setup succeeded: tear down
    ("s1 u1", (1, 1, 0), R),
    ("f1 u1", (1, 0, 0), U),  # the setup failed: nothing to tear down
    ("k2", (1, 0, 1), S),  # the setup skipped
    ("s1 f1", (2, 1, 0), R),  # one of two setups is enough
    ("s1 n1", (1, 1, 0), W),  # waits for all upstream
    ("f1 s1", (0, 0, 0), R),  # no setup at all: all_done
    ("f1 n1", (0, 0, 0), W),
]


@pytest.mark.parametrize(("upstream", "setups", "expected"), SETUP_SUCCESS)
def test_all_done_setup_success_decides_as_airflow(
    upstream: str, setups: tuple[int, int, int], expected: Decision
) -> None:
    total, success, skipped = setups
    c = replace(counts(upstream), setups=total, setup_success=success, setup_skipped=skipped)
    assert evaluate(TriggerRule.ALL_DONE_SETUP_SUCCESS, c) is expected


def test_both_new_rules_are_trigger_rules() -> None:
    assert TriggerRule.is_valid("all_done_setup_success")
    assert TriggerRule.is_valid("all_done_min_one_success")


# -- a setup, a work task and a teardown ---------------------------------------------------------

# s >> w >> t, with s a setup of t
SWT = dag(("s", "w"), ("w", "t"), ("s", "t"), s=SETUP, t=TEARDOWN)


def test_the_teardown_runs_after_the_work_failed_and_the_run_fails_by_the_work() -> None:
    d = run(SWT, rows(s="success", w="failed", t="none"))
    assert tids(d.schedule) == ["t"]
    assert run(SWT, rows(s="success", w="failed", t="success")).run_state is DagRunState.FAILED


def test_a_failed_teardown_does_not_fail_the_run() -> None:
    assert run(SWT, rows(s="success", w="success", t="failed")).run_state is DagRunState.SUCCESS


def test_a_failed_teardown_fails_the_run_with_on_failure_fail_dagrun() -> None:
    spec = dag(
        ("s", "w"), ("w", "t"), ("s", "t"), s=SETUP, t={**TEARDOWN, "on_failure_fail_dagrun": True}
    )
    assert run(spec, rows(s="success", w="success", t="failed")).run_state is DagRunState.FAILED


def test_a_failed_setup_fails_its_work_and_its_teardown_and_the_run() -> None:
    d = run(SWT, rows(s="failed", w="none", t="none"))
    assert tids(d.upstream_failed) == ["w", "t"]
    assert d.run_state is DagRunState.FAILED


def test_a_skipped_setup_skips_its_work_and_its_teardown() -> None:
    d = run(SWT, rows(s="skipped", w="none", t="none"))
    assert tids(d.skip) == ["w", "t"]
    assert d.run_state is DagRunState.SUCCESS


def test_a_teardown_waits_for_every_upstream_task() -> None:
    d = run(SWT, rows(s="success", w="running", t="none"))
    assert d.schedule == [] and d.run_state is None


# -- the setup constraint: work deeper in a setup's scope ----------------------------------------

# s >> a >> b >> t: b is in s's scope without being directly downstream of it
DEEP = dag(("s", "a"), ("a", "b"), ("b", "t"), ("s", "t"), s=SETUP, t=TEARDOWN)


def test_work_deeper_in_a_setups_scope_is_upstream_failed_when_the_setup_failed() -> None:
    spec = replace(
        DEEP,
        tasks=tuple(
            replace(t, trigger_rule="all_done") if t.task_id == "b" else t for t in DEEP.tasks
        ),
    )
    d = run(spec, rows(s="failed", a="upstream_failed", b="none", t="none"))
    assert tids(d.upstream_failed) == ["b", "t"]


def test_only_setups_that_are_not_direct_upstream_tasks_are_indirect() -> None:
    spec = dag(("s", "b"), ("a", "b"), ("s", "t"), ("b", "t"), s=SETUP, t=TEARDOWN)
    # b's direct upstream includes s: its own rule decides; in DEEP, b waits on s too
    assert indirect_setups(spec) == {}
    assert indirect_setups(DEEP) == {"b": ("s",)}
    assert relevant_setups(DEEP, "b") == ("s",)


def test_a_setup_whose_teardown_is_not_downstream_is_not_relevant() -> None:
    # s >> w >> t, and w >> after: "after" runs outside s's scope
    spec = dag(("s", "w"), ("w", "t"), ("s", "t"), ("w", "after"), s=SETUP, t=TEARDOWN)
    assert relevant_setups(spec, "after") == ()
    assert relevant_setups(spec, "w") == ("s",)


# -- the run's leaves ----------------------------------------------------------------------------


def test_a_teardown_leaf_gives_way_to_the_work_it_tears_down() -> None:
    assert effective_leaves(SWT) == ("w",)


def test_a_teardown_with_on_failure_fail_dagrun_is_a_leaf() -> None:
    spec = dag(("s", "w"), ("w", "t"), s=SETUP, t={**TEARDOWN, "on_failure_fail_dagrun": True})
    assert effective_leaves(spec) == ("t",)


def test_a_dag_of_teardowns_only_falls_back_to_its_leaves() -> None:
    spec = DagSpec("d", tasks=dag(t=TEARDOWN).tasks)
    assert effective_leaves(spec) == ("t",)


# -- clearing ------------------------------------------------------------------------------------


def test_clearing_work_takes_its_setups_and_their_teardowns() -> None:
    assert setups_and_teardowns(DEEP, {"b"}) == {"s", "t"}


def test_clearing_a_setup_takes_its_teardowns() -> None:
    assert setups_and_teardowns(SWT, {"s"}) == {"t"}


def test_clearing_plain_tasks_takes_nothing_more() -> None:
    assert setups_and_teardowns(dag(("a", "b")), {"b"}) == set()
