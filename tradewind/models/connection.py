"""Airflow's ``airflow.models.connection``."""

from __future__ import annotations

from tradewind.sdk.connection import Connection

__all__ = ["Connection"]
