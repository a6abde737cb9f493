"""Helpers for SDK tests: a fake task instance that records XCom pushes and skips."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import pytest


class FakeTI:
    """Stands in for the runtime's task-instance facade (pull from a dict, record pushes)."""

    def __init__(self, xcoms: dict[tuple[str, str], Any] | None = None) -> None:
        self.xcoms = dict(xcoms or {})
        self.pushed: dict[str, Any] = {}
        self.skipped: set[str] = set()
        self.dag_id = "test_dag"
        self.task_id = "t"
        self.try_number = 1

    def xcom_pull(self, task_ids: str | None = None, key: str = "return_value") -> Any:
        return self.xcoms.get((task_ids or "", key))

    def xcom_push(self, key: str, value: Any) -> None:
        self.pushed[key] = value

    def skip_tasks(self, task_ids: Iterable[str]) -> None:
        self.skipped.update(task_ids)


@pytest.fixture
def fake_ti() -> FakeTI:
    return FakeTI()
