"""``TriggerDagRunOperator``: start a run of another DAG, as
``airflow.operators.trigger_dagrun.TriggerDagRunOperator``.

The run is created in the metastore (queued; the scheduler picks it up, woken at once); with
``wait_for_completion`` the task polls the run's state every ``poke_interval`` seconds.
"""

from __future__ import annotations

import json
import time
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any, ClassVar

from tradewind.core.states import DagRunState
from tradewind.errors import (
    DagDefinitionError,
    DagRunAlreadyExists,
    TaskFailure,
    TaskSkipped,
)
from tradewind.sdk.baseoperator import BaseOperator
from tradewind.utils.timezone import default_zone

XCOM_RUN_ID = "trigger_run_id"
XCOM_LOGICAL_DATE_ISO = "trigger_logical_date_iso"
XCOM_EXECUTION_DATE_ISO = "trigger_execution_date_iso"  # Airflow 2's key


class TriggerDagRunOperator(BaseOperator):
    """Trigger a run of ``trigger_dag_id`` with ``conf`` at ``logical_date`` (default now).

    ``reset_dag_run`` clears an existing run with that id/date instead of failing;
    ``skip_when_already_exists`` skips instead. ``wait_for_completion`` waits until the run is
    in ``allowed_states`` (default success) and fails if it reaches ``failed_states``.
    """

    template_fields: ClassVar[Sequence[str]] = (
        "trigger_dag_id",
        "trigger_run_id",
        "logical_date",
        "conf",
        "wait_for_completion",
    )
    template_fields_renderers: ClassVar[dict[str, str]] = {"conf": "py"}
    ui_color = "#ffefeb"

    def __init__(
        self,
        *,
        trigger_dag_id: str,
        trigger_run_id: str | None = None,
        conf: dict[str, Any] | None = None,
        logical_date: str | datetime | None = None,
        reset_dag_run: bool = False,
        wait_for_completion: bool = False,
        poke_interval: float = 60,
        allowed_states: list[str] | None = None,
        failed_states: list[str] | None = None,
        skip_when_already_exists: bool = False,
        deferrable: bool = False,
        **kwargs: Any,
    ) -> None:
        execution_date = kwargs.pop("execution_date", None)
        super().__init__(**kwargs)
        logical_date = logical_date if logical_date is not None else execution_date
        where = f"Task {self.task_id!r}"
        if logical_date is not None and not isinstance(logical_date, str | datetime):
            raise DagDefinitionError(
                f"{where}: Expected str or datetime.datetime type for logical_date. "
                f"Got {type(logical_date)}"
            )
        try:
            self.allowed_states = [DagRunState(s).value for s in allowed_states or ["success"]]
            # as in Airflow, an explicit empty list means "no state fails the task"
            failed = ["failed"] if failed_states is None else failed_states
            self.failed_states = [DagRunState(s).value for s in failed]
        except ValueError as exc:
            raise DagDefinitionError(f"{where}: {exc}") from None
        self.trigger_dag_id = trigger_dag_id
        self.trigger_run_id = trigger_run_id
        self.conf = conf
        self.logical_date = logical_date
        self.reset_dag_run = reset_dag_run
        self.wait_for_completion = wait_for_completion
        self.poke_interval = poke_interval
        self.skip_when_already_exists = skip_when_already_exists
        self.deferrable = deferrable

    def _parsed_logical_date(self) -> datetime:
        value = self.logical_date
        if isinstance(value, str) and value.strip():
            try:
                value = datetime.fromisoformat(value.strip())
            except ValueError:
                raise TaskFailure(f"logical_date {value!r} is not an ISO 8601 date") from None
            if value.tzinfo is None:  # Airflow's timezone.parse: in core.default_timezone
                value = value.replace(tzinfo=default_zone())
        if isinstance(value, datetime):
            return value if value.tzinfo else value.replace(tzinfo=UTC)
        return datetime.now(UTC)

    def execute(self, context: dict[str, Any]) -> None:
        from tradewind.metastore.runs import make_run_id, trigger_dag
        from tradewind.metastore.wakeup import notify_scheduler

        logical_date = self._parsed_logical_date()
        try:
            json.dumps(self.conf)
        except TypeError:
            raise TaskFailure("conf parameter should be JSON Serializable") from None
        run_id = str(self.trigger_run_id or make_run_id("manual", logical_date))
        store = _metastore(context)
        triggered_by = f"{getattr(self, 'dag_id', '')}.{self.task_id}"
        try:
            with store.session() as session:
                run = trigger_dag(
                    session,
                    self.trigger_dag_id,
                    logical_date=logical_date,
                    run_id=run_id,
                    conf=self.conf,
                    triggered_by=triggered_by,
                )
                run_id, run_date = run.run_id, run.logical_date
                notify_scheduler(session)
        except DagRunAlreadyExists:
            if self.reset_dag_run:
                run_id, run_date = self._reset(store, run_id, logical_date)
            elif self.skip_when_already_exists:
                raise TaskSkipped(
                    "Skipping due to skip_when_already_exists is set to True and "
                    "DagRunAlreadyExists"
                ) from None
            else:
                raise
        self.log.info("Triggered DAG %s: run %s", self.trigger_dag_id, run_id)
        ti = context.get("ti") or context.get("task_instance")
        if ti is not None and hasattr(ti, "xcom_push"):
            ti.xcom_push(key=XCOM_RUN_ID, value=run_id)
            ti.xcom_push(key=XCOM_LOGICAL_DATE_ISO, value=run_date.isoformat())
            ti.xcom_push(key=XCOM_EXECUTION_DATE_ISO, value=run_date.isoformat())
        if self.wait_for_completion:
            self._wait(store, run_id, run_date)

    def _reset(self, store: Any, run_id: str, logical_date: datetime) -> tuple[str, datetime]:
        """Clear the existing run (by id, else by logical date) so it runs again."""
        from sqlalchemy import or_, select

        from tradewind.metastore.clearing import clear_task_instances, requeue_runs
        from tradewind.metastore.models import DagRun
        from tradewind.metastore.wakeup import notify_scheduler

        with store.session() as session:
            run = session.scalars(
                select(DagRun).where(
                    DagRun.dag_id == self.trigger_dag_id,
                    or_(DagRun.run_id == run_id, DagRun.logical_date == logical_date),
                )
            ).first()
            if run is None:  # deleted meanwhile
                raise TaskFailure(f"the run {run_id} of {self.trigger_dag_id} vanished")
            self.log.info("Clearing %s on %s", self.trigger_dag_id, run.logical_date)
            clear_task_instances(session, self.trigger_dag_id, run_ids=[run.run_id])
            requeue_runs(session, self.trigger_dag_id, [run.run_id])  # also when nothing ran
            notify_scheduler(session)
            return run.run_id, run.logical_date

    def _wait(self, store: Any, run_id: str, run_date: datetime) -> None:
        from sqlalchemy import select

        from tradewind.metastore.models import DagRun

        while True:
            self.log.info(
                "Waiting for %s on %s to become allowed state %s ...",
                self.trigger_dag_id,
                run_date.isoformat(),
                self.allowed_states,
            )
            time.sleep(self.poke_interval)
            with store.session() as session:
                state = session.scalar(
                    select(DagRun.state).where(
                        DagRun.dag_id == self.trigger_dag_id, DagRun.run_id == run_id
                    )
                )
            if state is None:
                raise TaskFailure(f"the run {run_id} of {self.trigger_dag_id} was deleted")
            if state in self.failed_states:
                raise TaskFailure(f"{self.trigger_dag_id} failed with failed states {state}")
            if state in self.allowed_states:
                self.log.info("%s finished with allowed state %s", self.trigger_dag_id, state)
                return


def _metastore(context: dict[str, Any]) -> Any:
    """The metastore of the running try (else the process's default one)."""
    ti = context.get("ti")
    store = getattr(ti, "_store", None)
    if callable(store):
        return store()
    from tradewind.metastore.engine import get_default_metastore

    return get_default_metastore()
