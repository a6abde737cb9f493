"""Airflow's ``airflow.utils.template``: ``literal()`` keeps a templated value from rendering."""

from tradewind.templating.literal import LiteralValue, literal

__all__ = ["LiteralValue", "literal"]
