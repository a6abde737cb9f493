"""Airflow's trigger rules (defined in the pure core) and weight rules, as string enums."""

from __future__ import annotations

from enum import StrEnum

from tradewind.core.trigger_rules import LEGACY_TRIGGER_RULES, TriggerRule

__all__ = ["LEGACY_TRIGGER_RULES", "TriggerRule", "WeightRule"]


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
