"""Airflow's ``airflow.models.param``."""

from __future__ import annotations

from tradewind.sdk.param import DagParam, Param, ParamsDict

__all__ = ["DagParam", "Param", "ParamsDict"]
