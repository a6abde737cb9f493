"""Airflow's trigger rules and weight rules, as string enums."""

from __future__ import annotations

from enum import StrEnum


class TriggerRule(StrEnum):
    """When a task may run, judged by the states of its direct upstream tasks."""

    ALL_SUCCESS = "all_success"
    ALL_FAILED = "all_failed"
    ALL_DONE = "all_done"
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


class WeightRule(StrEnum):
    """How a task's effective priority weight is computed from its neighbours."""

    DOWNSTREAM = "downstream"
    UPSTREAM = "upstream"
    ABSOLUTE = "absolute"

    @classmethod
    def is_valid(cls, value: str) -> bool:
        return value in {rule.value for rule in cls}

    @classmethod
    def all_weight_rules(cls) -> set[str]:
        return {rule.value for rule in cls}
