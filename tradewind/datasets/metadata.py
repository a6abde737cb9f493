"""Airflow's ``airflow.datasets.metadata``: ``from tradewind.datasets.metadata import Metadata``."""

from __future__ import annotations

from tradewind.sdk.dataset import Metadata

__all__ = ["Metadata"]
