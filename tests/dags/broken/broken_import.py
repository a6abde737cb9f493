"""A DAG file importing a module that does not exist."""

from datetime import datetime

import tradewind_no_such_module  # noqa: F401

from tradewind import DAG

with DAG("broken_import", start_date=datetime(2024, 1, 1), schedule=None) as dag:
    pass
