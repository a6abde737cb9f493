"""Airflow's trigger rules, as a pure function of the states of a task's upstream instances.

Mirrors ``airflow/ti_deps/deps/trigger_rule_dep.py`` (Airflow 2.x) with ``flag_upstream_failed``
on, as the scheduler runs it: first the rule may decide that the task can never run (it is then
``skipped`` or ``upstream_failed`` — this is how skips and failures propagate), otherwise the
rule either passes (``ready``) or waits.

``done`` counts finished upstream instances: success, skipped, failed, upstream_failed, removed.
A mapped upstream contributes one count per map index.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum

from tradewind.errors import DagDefinitionError


class TriggerRule(StrEnum):
    """When a task may run, judged by the states of its direct upstream tasks."""

    ALL_SUCCESS = "all_success"
    ALL_FAILED = "all_failed"
    ALL_DONE = "all_done"
    #: a teardown's rule (Airflow 2.7): all upstream done and one of its setups succeeded
    ALL_DONE_SETUP_SUCCESS = "all_done_setup_success"
    #: Airflow 2.10: all non-skipped upstream done, none skipped, and one of them succeeded
    ALL_DONE_MIN_ONE_SUCCESS = "all_done_min_one_success"
    ALL_SKIPPED = "all_skipped"
    ONE_SUCCESS = "one_success"
    ONE_FAILED = "one_failed"
    ONE_DONE = "one_done"
    NONE_FAILED = "none_failed"
    NONE_FAILED_MIN_ONE_SUCCESS = "none_failed_min_one_success"
    NONE_SKIPPED = "none_skipped"
    ALWAYS = "always"
    # Airflow 2's deprecated names (removed in Airflow 3): aliases of the rules they became
    NONE_FAILED_OR_SKIPPED = "none_failed_min_one_success"
    DUMMY = "always"

    @classmethod
    def is_valid(cls, value: str) -> bool:
        return value in cls.all_triggers()

    @classmethod
    def normalize(cls, value: str) -> str:
        """The current name of ``value`` (Airflow 2's ``none_failed_or_skipped``, ``dummy``)."""
        return LEGACY_TRIGGER_RULES.get(value, value)

    @classmethod
    def all_triggers(cls) -> set[str]:
        return {rule.value for rule in cls}


#: Airflow 2 trigger-rule strings that DAG files still use, and the rule each became
LEGACY_TRIGGER_RULES: dict[str, str] = {
    "none_failed_or_skipped": TriggerRule.NONE_FAILED_MIN_ONE_SUCCESS.value,
    "dummy": TriggerRule.ALWAYS.value,
}


class Decision(StrEnum):
    """What the scheduler does with a task instance in state ``none``."""

    READY = "ready"
    WAIT = "wait"
    SKIPPED = "skipped"
    UPSTREAM_FAILED = "upstream_failed"
    #: a mapped instance whose upstream shrank (Airflow's all_success + removed case)
    REMOVED = "removed"


_FINISHED = frozenset({"success", "skipped", "failed", "upstream_failed", "removed"})


@dataclass(frozen=True)
class UpstreamCounts:
    """How many upstream task instances are in each finished state, out of ``total``."""

    total: int
    success: int = 0
    skipped: int = 0
    failed: int = 0
    upstream_failed: int = 0
    removed: int = 0
    #: instances of direct upstream setup tasks, and how many of them succeeded or skipped
    #: (only filled for ``all_done_setup_success``)
    setups: int = 0
    setup_success: int = 0
    setup_skipped: int = 0

    @property
    def done(self) -> int:
        return self.success + self.skipped + self.failed + self.upstream_failed + self.removed

    @classmethod
    def from_states(cls, states: Iterable[str]) -> UpstreamCounts:
        """Counts over upstream instance states (any unfinished state just adds to the total)."""
        items = [str(s) for s in states]
        counts = Counter(s for s in items if s in _FINISHED)
        return cls(
            total=len(items),
            success=counts["success"],
            skipped=counts["skipped"],
            failed=counts["failed"],
            upstream_failed=counts["upstream_failed"],
            removed=counts["removed"],
        )


def parse_trigger_rule(value: str) -> TriggerRule:
    """The :class:`TriggerRule` named ``value``; DagDefinitionError listing the valid ones."""
    try:
        return TriggerRule(value)
    except ValueError:
        raise DagDefinitionError(
            f"unknown trigger_rule {value!r}",
            hint=f"use one of {', '.join(r.value for r in TriggerRule)}",
        ) from None


def evaluate(rule: TriggerRule | str, counts: UpstreamCounts, *, map_index: int = -1) -> Decision:
    """Decide a ``none`` task instance by its trigger rule, exactly as Airflow 2.x does."""
    rule = parse_trigger_rule(str(rule))
    if counts.total == 0 or rule is TriggerRule.ALWAYS:
        return Decision.READY
    terminal = _terminal_state(rule, counts, map_index)
    if terminal is not None:
        return terminal
    return Decision.READY if _passes(rule, counts, map_index) else Decision.WAIT


def _terminal_state(rule: TriggerRule, c: UpstreamCounts, map_index: int) -> Decision | None:
    """The state a task is set to because it can never run (Airflow's flag_upstream_failed)."""
    failures = c.failed or c.upstream_failed
    upstream_done = c.done >= c.total
    match rule:
        case TriggerRule.ALL_SUCCESS:
            if failures:
                return Decision.UPSTREAM_FAILED
            if c.skipped:
                return Decision.SKIPPED
            if c.removed and c.success and map_index > -1 and map_index >= c.success:
                return Decision.REMOVED
        case TriggerRule.ALL_FAILED:
            if c.success or c.skipped:
                return Decision.SKIPPED
        case TriggerRule.ONE_SUCCESS:
            if upstream_done and c.done == c.skipped:
                return Decision.SKIPPED
            if upstream_done and c.success <= 0:
                return Decision.UPSTREAM_FAILED
        case TriggerRule.ONE_FAILED:
            if upstream_done and not failures:
                return Decision.SKIPPED
        case TriggerRule.ONE_DONE:
            if upstream_done and not (c.failed or c.success):
                return Decision.SKIPPED
        case TriggerRule.NONE_FAILED:
            if failures:
                return Decision.UPSTREAM_FAILED
        case TriggerRule.NONE_FAILED_MIN_ONE_SUCCESS:
            if failures:
                return Decision.UPSTREAM_FAILED
            if c.skipped == c.total:
                return Decision.SKIPPED
        case TriggerRule.NONE_SKIPPED:
            if c.skipped:
                return Decision.SKIPPED
        case TriggerRule.ALL_SKIPPED:
            if c.success or c.failed or c.upstream_failed:
                return Decision.SKIPPED
        case TriggerRule.ALL_DONE_SETUP_SUCCESS:
            if upstream_done and c.setups and c.setup_skipped >= c.setups:
                return Decision.SKIPPED
            if upstream_done and c.setups and c.setup_success == 0:
                return Decision.UPSTREAM_FAILED
        case TriggerRule.ALL_DONE_MIN_ONE_SUCCESS:
            if c.skipped:
                return Decision.SKIPPED
            if c.done >= c.total and c.success == 0:
                return Decision.UPSTREAM_FAILED
    return None


def _passes(rule: TriggerRule, c: UpstreamCounts, map_index: int) -> bool:
    """Whether the rule is met now (Airflow's passing/failing dep status)."""
    removed = c.removed if map_index > -1 else 0
    upstream_done = c.done >= c.total
    match rule:
        case TriggerRule.ONE_SUCCESS:
            return c.success > 0
        case TriggerRule.ONE_FAILED:
            return bool(c.failed or c.upstream_failed)
        case TriggerRule.ONE_DONE:
            return c.success + c.failed > 0
        case TriggerRule.ALL_SUCCESS:
            return c.total - c.success - removed <= 0
        case TriggerRule.ALL_FAILED:
            return c.total - c.failed - c.upstream_failed - removed <= 0
        case TriggerRule.ALL_DONE:
            return upstream_done
        case TriggerRule.NONE_FAILED | TriggerRule.NONE_FAILED_MIN_ONE_SUCCESS:
            return c.total - c.success - c.skipped - removed <= 0
        case TriggerRule.NONE_SKIPPED:
            return upstream_done and c.skipped == 0
        case TriggerRule.ALL_SKIPPED:
            return c.total - c.skipped <= 0
        case TriggerRule.ALL_DONE_SETUP_SUCCESS:
            return upstream_done and (not c.setups or c.setup_success > 0)
        case TriggerRule.ALL_DONE_MIN_ONE_SUCCESS:
            return upstream_done and not c.skipped and c.success > 0
    return True
