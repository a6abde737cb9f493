"""``BaseBranchOperator``: subclass it and implement ``choose_branch``."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from tradewind.sdk.baseoperator import BaseOperator
from tradewind.sdk.skipmixin import SkipMixin


class BaseBranchOperator(BaseOperator, SkipMixin):
    """Follow the task id(s) ``choose_branch`` returns; skip the other direct downstream tasks."""

    def choose_branch(self, context: dict[str, Any]) -> str | Iterable[str] | None:
        raise NotImplementedError(f"{type(self).__name__} must implement choose_branch()")

    def execute(self, context: dict[str, Any]) -> Any:
        branch = self.choose_branch(context)
        self.skip_all_except(context.get("ti"), branch)
        return branch
