"""A DAG file raising an exception at module level."""

from datetime import datetime

from tradewind import DAG

CONFIG = {"env": "prod"}

with DAG("broken_exception", start_date=datetime(2024, 1, 1), schedule=None) as dag:
    region = CONFIG["region"]
