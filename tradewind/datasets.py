"""Airflow's ``airflow.datasets``: ``from tradewind.datasets import Dataset``."""

from __future__ import annotations

from tradewind.sdk.dataset import Asset, Dataset

__all__ = ["Asset", "Dataset"]
