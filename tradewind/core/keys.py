"""Identities of task instances and their tries."""

from __future__ import annotations

from typing import NamedTuple


class TaskInstanceKey(NamedTuple):
    """One task instance: a task in a run, at one map index (-1 when not mapped)."""

    dag_id: str
    run_id: str
    task_id: str
    map_index: int = -1

    def with_try(self, try_number: int) -> TryKey:
        return TryKey(self.dag_id, self.run_id, self.task_id, self.map_index, try_number)

    def __str__(self) -> str:
        suffix = f"[{self.map_index}]" if self.map_index >= 0 else ""
        return f"{self.dag_id}.{self.task_id}{suffix} in {self.run_id}"


class TryKey(NamedTuple):
    """One try of a task instance: what a task message carries, and nothing more."""

    dag_id: str
    run_id: str
    task_id: str
    map_index: int
    try_number: int

    @property
    def ti_key(self) -> TaskInstanceKey:
        return TaskInstanceKey(self.dag_id, self.run_id, self.task_id, self.map_index)

    def __str__(self) -> str:
        return f"{self.ti_key} (try {self.try_number})"
