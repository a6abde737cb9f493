"""Airflow's ``airflow.models.baseoperator``: ``BaseOperator`` and the chaining helpers."""

from __future__ import annotations

from tradewind.sdk.baseoperator import BaseOperator
from tradewind.sdk.dependencies import chain, chain_linear, cross_downstream

__all__ = ["BaseOperator", "chain", "chain_linear", "cross_downstream"]
