"""The executor contract and how an executor is chosen."""

from __future__ import annotations

from typing import Any

import pytest

from scheduler.executors.base import Executor
from scheduler.executors.factory import build_executor
from tradewind.errors import ConfigError


@pytest.mark.parametrize("name", ["sequential", "local"])
def test_the_built_in_executors_implement_the_contract(sched_settings: Any, name: str) -> None:
    executor = build_executor(sched_settings, object(), name)  # type: ignore[arg-type]
    assert isinstance(executor, Executor)
    executor.start()
    assert executor.open_slots() >= 1
    assert executor.collect_finished() == []
    executor.end(graceful=True)


def test_the_local_executor_offers_parallelism_slots(sched_settings: Any) -> None:
    executor = build_executor(sched_settings, object(), "local")  # type: ignore[arg-type]
    assert executor.open_slots() == sched_settings.scheduler.parallelism


def test_an_unknown_executor_is_a_config_error_naming_the_choices(sched_settings: Any) -> None:
    with pytest.raises(ConfigError) as info:
        build_executor(sched_settings, object(), "celery")  # type: ignore[arg-type]
    assert "unknown executor 'celery'" in info.value.message
    assert "sequential, local, broker" in info.value.hint
