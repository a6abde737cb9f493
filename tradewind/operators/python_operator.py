"""Airflow 1.10's ``airflow.operators.python_operator``, still found in many DAG files."""

from __future__ import annotations

from tradewind.operators.python import (
    BranchPythonOperator,
    PythonOperator,
    ShortCircuitOperator,
)

__all__ = ["BranchPythonOperator", "PythonOperator", "ShortCircuitOperator"]
