"""Airflow's ``airflow.models.dagrun``: the ``dag_run`` of a task's context (a metastore row).

Importing it loads SQLAlchemy; DAG files that only need it as a type hint should import it
under ``if TYPE_CHECKING:``.
"""

from __future__ import annotations

from tradewind.metastore.models import DagRun

__all__ = ["DagRun"]
