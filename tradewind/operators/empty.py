"""``EmptyOperator``: does nothing; useful to group or join branches."""

from __future__ import annotations

from typing import Any

from tradewind.sdk.baseoperator import BaseOperator


class EmptyOperator(BaseOperator):
    """A task that does nothing and succeeds (the scheduler may mark it done without a worker)."""

    ui_color = "#e8f7e4"

    def execute(self, context: dict[str, Any]) -> None:
        return None
