"""CPU time of the fleet's processes, from ``/proc`` (Linux), grouped by role."""

from __future__ import annotations

import os
from collections import Counter
from pathlib import Path

_TICK = os.sysconf("SC_CLK_TCK")


def _role(pid: int, ppid: int, cmdline: str, roles: dict[int, str]) -> str | None:
    if pid in roles:
        return roles[pid]
    if roles.get(ppid) == "worker":
        return "try processes"
    if "postgres" in cmdline:
        return "postgres"
    if "beam.smp" in cmdline:
        return "rabbitmq"
    return None


def snapshot(roles: dict[int, str]) -> dict[int, tuple[str, float]]:
    """CPU seconds (user + system, with reaped children) of every process with a role:
    ``roles`` names the fleet's own pids; their children are try processes."""
    seen: dict[int, tuple[str, float]] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
            cmdline = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode()
        except OSError:
            continue
        fields = stat.rsplit(")", 1)[1].split()
        role = _role(int(entry.name), int(fields[1]), cmdline, roles)
        if role is not None:
            seen[int(entry.name)] = (role, sum(int(x) for x in fields[11:15]) / _TICK)
    return seen


def per_task_ms(before: dict, after: dict, tasks: int) -> dict[str, float]:
    """CPU milliseconds per task of each role between two snapshots."""
    spent: Counter[str] = Counter()
    for pid, (role, seconds) in after.items():
        spent[role] += seconds - before.get(pid, (role, 0.0))[1]
    return {role: 1000 * seconds / tasks for role, seconds in spent.most_common()}
