"""A DAG file that fails to import: an import error for /api/v1/importErrors."""

import not_a_module_anywhere_api  # noqa: F401

from tradewind import DAG  # noqa: E402

DAG("api_broken")
