"""A DAG file that takes far longer than the import timeout of the tests (1 s) to import."""

import time
from datetime import datetime

from tradewind import DAG

deadline = time.monotonic() + 30
while time.monotonic() < deadline:  # pure-Python work: interruptible in any thread
    pass

with DAG("broken_slow", start_date=datetime(2024, 1, 1), schedule=None) as dag:
    pass
