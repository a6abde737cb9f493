"""``LatestOnlyOperator``: skip the downstream tasks unless this is the latest scheduled run."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime
from typing import Any

from tradewind.operators.branch import BaseBranchOperator


class LatestOnlyOperator(BaseBranchOperator):
    """Follow every direct downstream task when the run is the latest one (now falls within
    the next data interval) or was triggered by hand; otherwise skip them, as Airflow does."""

    ui_color = "#e9ffdb"

    def choose_branch(self, context: dict[str, Any]) -> str | Iterable[str] | None:
        downstream = sorted(self.downstream_task_ids)
        dag_run = context["dag_run"]
        manual = getattr(dag_run, "run_type", "") == "manual"
        if getattr(dag_run, "external_trigger", False) or manual:
            self.log.info("Externally triggered DAG_Run: allowing execution to proceed.")
            return downstream
        from tradewind.core.schedules import next_dagrun_info

        dag = context["dag"]
        start, end = context["data_interval_start"], context["data_interval_end"]
        zone = getattr(getattr(dag, "timezone", None), "key", None) or "UTC"
        info = next_dagrun_info(
            dag.schedule_spec,
            tz=zone,
            start_date=start,
            catchup=True,
            last_automated_interval=(start, end),
        )
        if info is None:
            self.log.info("Last scheduled execution: allowing execution to proceed.")
            return downstream
        now = datetime.now(UTC)
        right_window = info.data_interval.end
        self.log.info(
            "Checking latest only with left_window: %s right_window: %s now: %s",
            end,
            right_window,
            now,
        )
        if not end < now <= right_window:
            self.log.info("Not latest execution, skipping downstream.")
            return []
        self.log.info("Latest, allowing execution to proceed.")
        return downstream


__all__ = ["LatestOnlyOperator"]
