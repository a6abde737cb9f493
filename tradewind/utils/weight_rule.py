"""Airflow's ``airflow.utils.weight_rule``."""

from __future__ import annotations

from tradewind.sdk.trigger_rule import WeightRule

__all__ = ["WeightRule"]
