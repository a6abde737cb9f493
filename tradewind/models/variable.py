"""Airflow's ``airflow.models.variable``."""

from __future__ import annotations

from tradewind.sdk.variable import Variable

__all__ = ["Variable"]
