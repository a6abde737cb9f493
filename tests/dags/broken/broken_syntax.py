"""A DAG file that Python refuses to compile: `return` outside a function is a SyntaxError.

(A syntax error that ruff's parser accepts, so that `ruff check` of the tree stays clean.)
"""

from datetime import datetime

from tradewind import DAG

with DAG("broken_syntax", start_date=datetime(2024, 1, 1), schedule=None) as dag:
    pass

return dag  # noqa: F706
