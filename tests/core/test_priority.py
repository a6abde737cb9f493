"""Effective priority weights per Airflow's weight rules."""

from __future__ import annotations

from tradewind.core.priority import priority_weights
from tradewind.core.spec import DagSpec, TaskSpec


def _spec(rule: str) -> DagSpec:
    # a >> [b, c]; b >> d; c >> d   with weights a=1 b=2 c=3 d=4
    def t(tid: str, w: int, up: tuple[str, ...], down: tuple[str, ...]) -> TaskSpec:
        return TaskSpec(
            task_id=tid, priority_weight=w, weight_rule=rule, upstream=up, downstream=down
        )

    return DagSpec(
        dag_id="d",
        tasks=(
            t("a", 1, (), ("b", "c")),
            t("b", 2, ("a",), ("d",)),
            t("c", 3, ("a",), ("d",)),
            t("d", 4, ("b", "c"), ()),
        ),
    )


def test_downstream_rule_adds_every_downstream_task_once() -> None:
    assert priority_weights(_spec("downstream")) == {"a": 10, "b": 6, "c": 7, "d": 4}


def test_upstream_rule_adds_every_upstream_task_once() -> None:
    assert priority_weights(_spec("upstream")) == {"a": 1, "b": 3, "c": 4, "d": 10}


def test_absolute_rule_keeps_the_own_weight() -> None:
    assert priority_weights(_spec("absolute")) == {"a": 1, "b": 2, "c": 3, "d": 4}


def test_rules_mix_per_task() -> None:
    spec = DagSpec(
        dag_id="d",
        tasks=(
            TaskSpec(task_id="a", priority_weight=1, weight_rule="absolute", downstream=("b",)),
            TaskSpec(task_id="b", priority_weight=5, upstream=("a",)),
        ),
    )
    assert priority_weights(spec) == {"a": 1, "b": 5}
