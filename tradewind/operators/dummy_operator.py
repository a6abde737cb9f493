"""Airflow 1.10's ``airflow.operators.dummy_operator``, still found in many DAG files."""

from __future__ import annotations

from tradewind.operators.dummy import DummyOperator

__all__ = ["DummyOperator"]
