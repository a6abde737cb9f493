"""A DAG file that fails to import: the home page shows its error."""

import not_a_module_anywhere_dash  # noqa: F401

from tradewind import DAG  # noqa: E402

DAG("dash_broken")
