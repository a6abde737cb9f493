"""Airflow-shaped module paths (``tradewind.utils.trigger_rule`` ...) for ported DAG files."""
