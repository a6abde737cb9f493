"""Readiness: what moves next in a run, decided from plain rows (no database)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from tradewind.core.readiness import RunDecisions, TIRow, decide, expansion_candidates
from tradewind.core.spec import DagSpec, TaskSpec
from tradewind.core.states import DagRunState

NOW = datetime(2024, 1, 1, 12, tzinfo=UTC)


def dag(*edges: tuple[str, str], **tasks: dict) -> DagSpec:
    ids: list[str] = []
    for a, b in edges:
        ids.extend(x for x in (a, b) if x not in ids)
    ids.extend(x for x in tasks if x not in ids)
    return DagSpec(
        "d",
        tasks=tuple(
            TaskSpec(
                tid,
                upstream=tuple(a for a, b in edges if b == tid),
                downstream=tuple(b for a, b in edges if a == tid),
                **tasks.get(tid, {}),
            )
            for tid in ids
        ),
    )


def rows(**states: str) -> list[TIRow]:
    return [TIRow(tid, state=state) for tid, state in states.items()]


def run(spec: DagSpec, tis: list[TIRow], **kw: object) -> RunDecisions:
    return decide(spec, tis, now=NOW, **kw)  # type: ignore[arg-type]


def tids(slots: list[tuple[str, int]]) -> list[str]:
    return [tid for tid, _ in slots]


CHAIN = dag(("a", "b"), ("b", "c"))


def test_roots_are_scheduled_and_their_downstream_waits() -> None:
    d = run(CHAIN, rows(a="none", b="none", c="none"))
    assert tids(d.schedule) == ["a"]
    assert d.run_state is None and not d.deadlocked


def test_a_skip_propagates_down_the_whole_chain_in_one_call() -> None:
    d = run(CHAIN, rows(a="skipped", b="none", c="none"))
    assert tids(d.skip) == ["b", "c"]
    assert d.run_state is DagRunState.SUCCESS


def test_a_failure_marks_everything_downstream_upstream_failed_and_fails_the_run() -> None:
    d = run(CHAIN, rows(a="failed", b="none", c="none"))
    assert tids(d.upstream_failed) == ["b", "c"]
    assert d.run_state is DagRunState.FAILED


def test_an_all_done_cleanup_runs_after_a_failure_and_its_success_decides_the_run() -> None:
    spec = dag(("a", "cleanup"), cleanup={"trigger_rule": "all_done"})
    d = run(spec, rows(a="failed", cleanup="none"))
    assert tids(d.schedule) == ["cleanup"]
    assert run(spec, rows(a="failed", cleanup="success")).run_state is DagRunState.SUCCESS


def test_a_branch_join_with_none_failed_min_one_success_runs_after_a_skipped_branch() -> None:
    spec = dag(
        ("branch", "left"),
        ("branch", "right"),
        ("left", "join"),
        ("right", "join"),
        join={"trigger_rule": "none_failed_min_one_success"},
    )
    d = run(spec, rows(branch="success", left="success", right="skipped", join="none"))
    assert tids(d.schedule) == ["join"]
    default_join = dag(("branch", "left"), ("branch", "right"), ("left", "join"), ("right", "join"))
    d = run(default_join, rows(branch="success", left="success", right="skipped", join="none"))
    assert tids(d.skip) == ["join"]


def test_the_run_waits_while_anything_is_unfinished() -> None:
    d = run(CHAIN, rows(a="success", b="running", c="none"))
    assert d.run_state is None and not d.changed


def test_removed_instances_do_not_count_for_the_run_state() -> None:
    spec = dag(("a", "b"), b={"mapped": "literal", "map_length": 1})
    tis = [TIRow("a", state="success"), TIRow("b", 0, "success"), TIRow("b", 1, "removed")]
    tis.append(TIRow("old_leaf", state="failed"))
    d = run(spec, tis)
    assert d.remove == [("old_leaf", -1)]
    assert d.run_state is DagRunState.SUCCESS


def test_an_empty_dag_run_succeeds() -> None:
    assert run(DagSpec("d"), []).run_state is DagRunState.SUCCESS


# -- retries and reschedules ------------------------------------------------------------


def test_a_retry_is_scheduled_once_its_time_has_come() -> None:
    spec = dag(a={})
    due = [TIRow("a", state="up_for_retry", try_number=1, next_try_at=NOW)]
    assert tids(run(spec, due).retry) == ["a"]
    later = NOW + timedelta(minutes=5)
    waiting = run(spec, [TIRow("a", state="up_for_retry", try_number=1, next_try_at=later)])
    assert waiting.retry == [] and waiting.next_check_at == later
    assert waiting.run_state is None


def test_a_reschedule_is_scheduled_once_its_time_has_come() -> None:
    spec = dag(a={}, b={})
    tis = [
        TIRow("a", state="up_for_reschedule", next_try_at=NOW - timedelta(seconds=1)),
        TIRow("b", state="up_for_reschedule", next_try_at=NOW + timedelta(seconds=9)),
    ]
    d = run(spec, tis)
    assert tids(d.reschedule) == ["a"]
    assert d.next_check_at == NOW + timedelta(seconds=9)


# -- depends_on_past / wait_for_downstream ----------------------------------------------


def test_depends_on_past_waits_until_the_previous_run_succeeded_or_skipped() -> None:
    spec = dag(a={"depends_on_past": True})
    none = rows(a="none")
    assert run(spec, none, past_rows=rows(a="failed")).schedule == []
    assert run(spec, none, past_rows=rows(a="running")).schedule == []
    assert tids(run(spec, none, past_rows=rows(a="success")).schedule) == ["a"]
    assert tids(run(spec, none, past_rows=rows(a="skipped")).schedule) == ["a"]


def test_depends_on_past_is_met_by_the_first_run_and_by_a_task_new_since() -> None:
    spec = dag(a={"depends_on_past": True})
    assert tids(run(spec, rows(a="none"), past_rows=None).schedule) == ["a"]
    assert tids(run(spec, rows(a="none"), past_rows=rows(other="failed")).schedule) == ["a"]


def test_a_task_waiting_on_its_past_is_not_a_deadlock() -> None:
    spec = dag(a={"depends_on_past": True})
    d = run(spec, rows(a="none"), past_rows=rows(a="running"))
    assert d.run_state is None and not d.deadlocked


def test_wait_for_downstream_waits_for_the_previous_runs_direct_downstream() -> None:
    spec = dag(("a", "b"), ("b", "c"), a={"wait_for_downstream": True, "depends_on_past": True})
    tis = rows(a="none", b="none", c="none")
    assert run(spec, tis, past_rows=rows(a="success", b="running", c="none")).schedule == []
    # only the immediate downstream counts, as in Airflow
    ok = run(spec, tis, past_rows=rows(a="success", b="success", c="failed"))
    assert tids(ok.schedule) == ["a"]


def test_skips_apply_even_when_the_past_is_not_met() -> None:
    spec = dag(("a", "b"), b={"depends_on_past": True})
    d = run(spec, rows(a="skipped", b="none"), past_rows=rows(a="success", b="failed"))
    assert tids(d.skip) == ["b"]


# -- mapping ----------------------------------------------------------------------------

MAPPED = dag(
    ("make", "each"),
    ("each", "total"),
    each={"mapped": "upstream", "map_upstream": ("make",)},
)


def test_a_mapped_task_is_a_candidate_for_expansion_once_what_it_maps_over_succeeded() -> None:
    assert expansion_candidates(MAPPED, rows(make="running", each="none", total="none")) == {}
    ready = rows(make="success", each="none", total="none")
    assert expansion_candidates(MAPPED, ready) == {"each": ("make",)}


def test_a_mapped_task_expands_into_its_length_and_every_instance_is_scheduled() -> None:
    d = run(MAPPED, rows(make="success", each="none", total="none"), map_lengths={"each": 3})
    assert d.expand == {"each": 3}
    assert d.schedule == [("each", 0), ("each", 1), ("each", 2)]
    assert d.run_state is None


def test_a_mapped_task_over_an_empty_list_is_skipped_and_so_is_its_downstream() -> None:
    d = run(MAPPED, rows(make="success", each="none", total="none"), map_lengths={"each": 0})
    assert tids(d.skip) == ["each", "total"]
    assert d.run_state is DagRunState.SUCCESS


def test_a_mapped_task_over_a_value_that_is_not_a_list_is_upstream_failed() -> None:
    d = run(MAPPED, rows(make="success", each="none", total="none"), map_lengths={"each": None})
    assert tids(d.upstream_failed) == ["each", "total"]


def test_a_mapped_task_whose_length_was_not_looked_up_waits_without_deadlock() -> None:
    d = run(MAPPED, rows(make="success", each="none", total="none"))
    assert d.awaiting_lengths == ["each"] and d.run_state is None


def test_downstream_of_a_mapped_task_counts_every_map_index() -> None:
    spec = dag(("each", "total"), each={"mapped": "literal", "map_length": 3})
    tis = [TIRow("each", i, "success") for i in range(2)] + [
        TIRow("each", 2, "running"),
        TIRow("total"),
    ]
    assert run(spec, tis).schedule == []
    tis[2] = TIRow("each", 2, "failed")
    assert tids(run(spec, tis).upstream_failed) == ["total"]


# -- structure --------------------------------------------------------------------------


def test_tasks_new_in_the_spec_are_added_and_can_be_scheduled_at_once() -> None:
    spec = dag(("a", "b"))
    d = run(spec, rows(a="success"))
    assert d.add == [("b", -1)]
    assert tids(d.schedule) == ["b"]


def test_instances_of_tasks_gone_from_the_spec_are_removed_unless_they_run() -> None:
    spec = dag(a={})
    d = run(spec, rows(a="none", gone="none", done="success", busy="running"))
    assert sorted(tids(d.remove)) == ["done", "gone"]


def test_a_removed_instance_whose_task_came_back_is_restored() -> None:
    d = run(dag(a={}), rows(a="removed"))
    assert d.restore == [("a", -1)]
    assert tids(d.schedule) == ["a"]


def test_a_literal_mapping_that_shrank_removes_the_extra_indexes() -> None:
    spec = dag(each={"mapped": "literal", "map_length": 2})
    tis = [TIRow("each", i, "success") for i in range(3)]
    d = run(spec, tis)
    assert d.remove == [("each", 2)]
    assert d.run_state is DagRunState.SUCCESS


def test_a_run_where_nothing_can_ever_move_is_a_deadlock_and_fails() -> None:
    # Airflow's all_success counts a removed upstream index as not done for an unmapped task
    spec = dag(("each", "total"), each={"mapped": "literal", "map_length": 2})
    tis = [TIRow("each", 0, "success"), TIRow("each", 1, "success"), TIRow("each", 2, "removed")]
    tis.append(TIRow("total"))
    d = run(spec, tis)
    assert d.run_state is DagRunState.FAILED and d.deadlocked
