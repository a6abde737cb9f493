"""The per-spec shape and the settled-run test: a run ``decide`` would not touch is recognised
from its states alone, and never one that ``decide`` would change."""

from __future__ import annotations

import dataclasses
import random
from datetime import UTC, datetime, timedelta

import pytest

from tests.core.test_readiness import dag
from tradewind.core.readiness import RunDecisions, TIRow, decide
from tradewind.core.run_shape import is_settled, shape_of
from tradewind.core.spec import DagSpec
from tradewind.core.states import TaskState

NOW = datetime(2024, 1, 1, 12, tzinfo=UTC)
NOTHING = dataclasses.asdict(RunDecisions())


def rows(*items: tuple[str, int, str]) -> list[TIRow]:
    return [TIRow(tid, mi, state) for tid, mi, state in items]


def decides_nothing(spec: DagSpec, tis: list[TIRow]) -> bool:
    return dataclasses.asdict(decide(spec, tis, now=NOW, past_rows=[])) == NOTHING


FAN = dag(("a", "b"), ("a", "c"))
LITERAL = dag(("a", "m"), m={"mapped": "literal", "map_length": 2})
UPSTREAM = dag(("a", "m"), m={"mapped": "upstream", "map_upstream": ("a",)})


@pytest.mark.parametrize(
    ("spec", "tis"),
    [
        (FAN, rows(("a", -1, "success"), ("b", -1, "running"), ("c", -1, "queued"))),
        (FAN, rows(("a", -1, "success"), ("b", -1, "scheduled"), ("c", -1, "failed"))),
        (FAN, rows(("a", -1, "running"), ("b", -1, "queued"), ("c", -1, "queued"))),
        # rows of tasks gone from the spec: one that runs cannot be removed, one already is
        (
            FAN,
            rows(("a", -1, "success"), ("b", -1, "running"), ("c", -1, "success"))
            + rows(("gone", -1, "running"), ("old", -1, "removed")),
        ),
        (LITERAL, rows(("a", -1, "success"), ("m", 0, "running"), ("m", 1, "success"))),
        (
            LITERAL,
            rows(
                ("a", -1, "success"), ("m", 0, "running"), ("m", 1, "queued"), ("m", 5, "removed")
            ),
        ),
        (UPSTREAM, rows(("a", -1, "success"), ("m", 0, "running"), ("m", 1, "queued"))),
    ],
)
def test_a_run_nothing_can_move_in_is_settled_and_decide_agrees(
    spec: DagSpec, tis: list[TIRow]
) -> None:
    assert is_settled(spec, tis)
    assert decides_nothing(spec, tis)


@pytest.mark.parametrize(
    ("spec", "tis", "why"),
    [
        (FAN, rows(("a", -1, "success"), ("b", -1, "success"), ("c", -1, "failed")), "finished"),
        (FAN, rows(("a", -1, "running"), ("b", -1, "none"), ("c", -1, "none")), "none waits"),
        (FAN, rows(("a", -1, "up_for_retry"), ("b", -1, "none"), ("c", -1, "none")), "retry"),
        (
            FAN,
            rows(("a", -1, "up_for_reschedule"), ("b", -1, "none"), ("c", -1, "none")),
            "reschedule",
        ),
        (FAN, rows(("a", -1, "running"), ("b", -1, "queued")), "c has no row: it is added"),
        (
            FAN,
            rows(("a", -1, "running"), ("b", -1, "queued"), ("c", -1, "removed")),
            "c is back in the spec: restored",
        ),
        (
            FAN,
            rows(("a", -1, "running"), ("b", -1, "queued"), ("c", -1, "queued"))
            + rows(("gone", -1, "success")),
            "gone left the spec: removed",
        ),
        (
            FAN,
            rows(("a", -1, "success"), ("b", -1, "success"), ("c", -1, "success"))
            + rows(("gone", -1, "running")),
            "only a task gone from the spec is unfinished: the run ends",
        ),
        (LITERAL, rows(("a", -1, "success"), ("m", 0, "running")), "map index 1 is added"),
        (
            LITERAL,
            rows(
                ("a", -1, "success"), ("m", 0, "running"), ("m", 1, "running"), ("m", 2, "failed")
            ),
            "map index 2 left the list: removed",
        ),
        (
            LITERAL,
            rows(("a", -1, "success"), ("m", 0, "running"), ("m", 1, "removed")),
            "map index 1 is back: restored",
        ),
        (UPSTREAM, rows(("a", -1, "success"), ("m", -1, "none")), "the placeholder expands"),
        (FAN, [], "no rows at all"),
    ],
)
def test_a_run_decide_may_change_is_not_settled(spec: DagSpec, tis: list[TIRow], why: str) -> None:
    assert not is_settled(spec, tis), why


def test_database_rows_in_tirow_column_order_work_as_plain_tuples() -> None:
    tis = [
        ("a", -1, "success", 1, None),
        ("b", -1, "running", 1, None),
        ("c", -1, "queued", 1, None),
    ]
    assert is_settled(FAN, tis)


def test_the_shape_is_computed_once_per_spec_and_lists_tasks_upstream_first() -> None:
    spec = dag(("b", "c"), ("a", "b"), x={"depends_on_past": True})
    assert shape_of(spec) is shape_of(spec)
    assert spec.task_ids == ("b", "c", "a", "x")
    assert shape_of(spec).order == ("a", "x", "b", "c")
    assert shape_of(spec).needs_past and not shape_of(FAN).needs_past
    assert shape_of(LITERAL).literal == {"m": frozenset({0, 1})}
    assert shape_of(UPSTREAM).maps_upstream and not shape_of(LITERAL).maps_upstream
    assert shape_of(dataclasses.replace(spec, tasks=spec.tasks[:1])).known == {"b"}


_STATES = [s.value for s in TaskState]
_RULES = ["all_success", "all_done", "one_failed", "one_success", "none_failed", "always"]


def _random_run(rng: random.Random) -> tuple[DagSpec, list[TIRow]]:
    ids = [f"t{i}" for i in range(rng.randint(1, 5))]
    edges = [(a, b) for i, a in enumerate(ids) for b in ids[i + 1 :] if rng.random() < 0.35]
    tasks: dict[str, dict] = {}
    for tid in ids:
        kw: dict = {"trigger_rule": rng.choice(_RULES)}
        ups = [a for a, b in edges if b == tid]
        r = rng.random()
        if r < 0.2:
            kw.update(mapped="literal", map_length=rng.randint(0, 3))
        elif r < 0.35 and ups:
            kw.update(mapped="upstream", map_upstream=(rng.choice(ups),))
        kw["depends_on_past"] = rng.random() < 0.1
        tasks[tid] = kw
    spec = dag(*edges, **tasks)
    busy = ["scheduled", "queued", "running", "success", "failed", "skipped", "upstream_failed"]
    pool = busy if rng.random() < 0.6 else _STATES
    tis = []
    for tid in [*ids, "gone"]:
        if rng.random() < 0.08 or (tid == "gone" and rng.random() < 0.7):
            continue
        task = tasks.get(tid, {})
        if task.get("mapped") == "literal" and rng.random() < 0.7:
            indexes = list(range(task["map_length"])) or [-1]
        elif task.get("mapped"):
            indexes = rng.sample(range(-1, 4), rng.randint(1, 3))
        else:
            indexes = [-1]
        for mi in indexes:
            later = rng.choice([None, NOW - timedelta(seconds=1), NOW + timedelta(seconds=9)])
            tis.append(TIRow(tid, mi, rng.choice(pool), 1, later))
    return spec, tis


def test_settled_runs_are_exactly_those_decide_leaves_alone_when_nothing_waits() -> None:
    """Random runs: a settled one makes ``decide`` decide nothing whatever ``now``, the
    previous run and the map lengths; one without an instance in a state ``decide`` moves
    that ``decide`` leaves alone is always recognised as settled."""
    rng = random.Random(7)
    settled = 0
    for _ in range(3000):
        spec, tis = _random_run(rng)
        movable = any(t.state in ("none", "up_for_retry", "up_for_reschedule") for t in tis)
        quiet = decides_nothing(spec, tis)
        if is_settled(spec, tis):
            settled += 1
            assert not movable and quiet, (spec, tis)
            lengths = {t.task_id: 2 for t in spec.tasks}
            later = decide(spec, tis, now=NOW + timedelta(days=1), map_lengths=lengths)
            assert dataclasses.asdict(later) == NOTHING
        elif not movable:
            assert not quiet, (spec, tis)
    assert settled > 300
