"""Airflow's ``airflow.utils.helpers``: the older home of ``chain`` and ``cross_downstream``."""

from __future__ import annotations

from tradewind.sdk.dependencies import chain, cross_downstream

__all__ = ["chain", "cross_downstream"]
