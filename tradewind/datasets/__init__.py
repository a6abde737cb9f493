"""Airflow's ``airflow.datasets``: ``from tradewind.datasets import Dataset``."""

from __future__ import annotations

from tradewind.sdk.dataset import (
    Asset,
    AssetAll,
    AssetAny,
    BaseDataset,
    Dataset,
    DatasetAll,
    DatasetAny,
)

__all__ = ["Asset", "AssetAll", "AssetAny", "BaseDataset", "Dataset", "DatasetAll", "DatasetAny"]
