"""``DummyOperator``: Airflow's old name of EmptyOperator."""

from __future__ import annotations

from tradewind.operators.empty import EmptyOperator


class DummyOperator(EmptyOperator):
    """Deprecated alias of :class:`EmptyOperator`."""


__all__ = ["DummyOperator", "EmptyOperator"]
