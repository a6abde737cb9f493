"""Airflow 1.10's ``airflow.operators.bash_operator``, still found in many DAG files."""

from __future__ import annotations

from tradewind.operators.bash import BashOperator

__all__ = ["BashOperator"]
