"""The trigger rules as a truth table over upstream state counts (Airflow 2.x semantics)."""

from __future__ import annotations

import pytest

from tradewind.core.trigger_rules import (
    Decision,
    TriggerRule,
    UpstreamCounts,
    evaluate,
    parse_trigger_rule,
)
from tradewind.errors import DagDefinitionError

R = Decision.READY
W = Decision.WAIT
S = Decision.SKIPPED
U = Decision.UPSTREAM_FAILED


def counts(spec: str) -> UpstreamCounts:
    """'s2 k1 f0 u0 n1' -> success 2, skipped 1, failed 0, upstream_failed 0, 1 unfinished."""
    n = {"s": 0, "k": 0, "f": 0, "u": 0, "r": 0, "n": 0}
    for part in spec.split():
        n[part[0]] = int(part[1:])
    total = sum(n.values())
    return UpstreamCounts(
        total=total,
        success=n["s"],
        skipped=n["k"],
        failed=n["f"],
        upstream_failed=n["u"],
        removed=n["r"],
    )


TABLE: list[tuple[str, str, Decision]] = [
    # all_success
    ("all_success", "s2", R),
    ("all_success", "s1 n1", W),
    ("all_success", "s1 k1", S),
    ("all_success", "k1 n1", S),
    ("all_success", "s1 f1", U),
    ("all_success", "u1 n1", U),
    ("all_success", "k1 f1", U),
    # all_failed
    ("all_failed", "f2", R),
    ("all_failed", "f1 u1", R),
    ("all_failed", "f1 n1", W),
    ("all_failed", "f1 s1", S),
    ("all_failed", "f1 k1", S),
    # all_done
    ("all_done", "s1 f1 k1 u1", R),
    ("all_done", "s1 n1", W),
    ("all_done", "f1 n1", W),
    ("all_done", "k2", R),
    # all_skipped
    ("all_skipped", "k2", R),
    ("all_skipped", "k1 n1", W),
    ("all_skipped", "k1 s1", S),
    ("all_skipped", "k1 f1", S),
    ("all_skipped", "k1 u1", S),
    # one_success
    ("one_success", "s1 n2", R),
    ("one_success", "f1 n1", W),
    ("one_success", "k2", S),
    ("one_success", "k1 f1", U),
    ("one_success", "f2", U),
    ("one_success", "u1 k1", U),
    # one_failed
    ("one_failed", "f1 n2", R),
    ("one_failed", "u1 n1", R),
    ("one_failed", "s1 n1", W),
    ("one_failed", "s1 k1", S),
    ("one_failed", "s2", S),
    # one_done
    ("one_done", "s1 n1", R),
    ("one_done", "f1 n1", R),
    ("one_done", "k1 n1", W),
    ("one_done", "k1 u1", S),
    ("one_done", "k2", S),
    # none_failed
    ("none_failed", "s1 k1", R),
    ("none_failed", "k2", R),
    ("none_failed", "s1 n1", W),
    ("none_failed", "s1 f1", U),
    ("none_failed", "k1 u1", U),
    # none_failed_min_one_success
    ("none_failed_min_one_success", "s1 k1", R),
    ("none_failed_min_one_success", "k2", S),
    ("none_failed_min_one_success", "k1 n1", W),
    ("none_failed_min_one_success", "s1 f1", U),
    ("none_failed_min_one_success", "u1 n1", U),
    # none_skipped
    ("none_skipped", "s1 f1 u1", R),
    ("none_skipped", "s1 n1", W),
    ("none_skipped", "s1 k1", S),
    ("none_skipped", "k1 n1", S),
    # always
    ("always", "n3", R),
    ("always", "f1 u1", R),
]


@pytest.mark.parametrize(("rule", "upstream", "expected"), TABLE)
def test_trigger_rule_decides_as_airflow(rule: str, upstream: str, expected: Decision) -> None:
    assert evaluate(rule, counts(upstream)) is expected


@pytest.mark.parametrize("rule", list(TriggerRule))
def test_a_task_without_upstream_is_always_ready(rule: TriggerRule) -> None:
    assert evaluate(rule, UpstreamCounts(total=0)) is R


@pytest.mark.parametrize("rule", [r for r in TriggerRule if r is not TriggerRule.ALWAYS])
def test_no_rule_but_always_runs_while_every_upstream_is_unfinished(rule: TriggerRule) -> None:
    assert evaluate(rule, counts("n3")) is W


def test_a_mapped_instance_beyond_the_successes_of_a_shrunk_upstream_is_removed() -> None:
    shrunk = counts("s2 r1")
    assert evaluate("all_success", shrunk, map_index=2) is Decision.REMOVED
    assert evaluate("all_success", shrunk, map_index=1) is R
    assert evaluate("all_success", counts("s2 r1")) is W


def test_removed_upstreams_count_as_done() -> None:
    assert counts("s1 r1").done == 2
    assert evaluate("all_done", counts("s1 r1")) is R


def test_counts_come_from_upstream_states() -> None:
    got = UpstreamCounts.from_states(["success", "skipped", "running", "none", "failed"])
    assert got == UpstreamCounts(total=5, success=1, skipped=1, failed=1)
    assert got.done == 3


def test_an_unknown_trigger_rule_names_the_valid_ones() -> None:
    with pytest.raises(DagDefinitionError, match="unknown trigger_rule 'all_sucess'") as info:
        parse_trigger_rule("all_sucess")
    assert "none_failed_min_one_success" in info.value.hint


def test_there_are_the_thirteen_airflow_rules() -> None:
    # with all_done_setup_success (Airflow 2.7) and all_done_min_one_success (Airflow 2.10)
    assert len(TriggerRule) == 13
