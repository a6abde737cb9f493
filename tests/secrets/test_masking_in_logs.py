"""A connection password or secret variable read by a task never reaches its log or XCom view."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from tradewind import DAG, Variable
from tradewind.config import load_settings
from tradewind.hooks import BaseHook
from tradewind.operators.python import PythonOperator
from tradewind.runtime.dag_test import run_dag_test
from tradewind.runtime.secrets_masker import reset_secrets

LOGICAL = datetime(2024, 1, 1, tzinfo=UTC)


def _log(dag_id: str, run_id: str, task_id: str) -> str:
    folder = Path(load_settings().logging.base_log_folder)
    path = folder / f"dag_id={dag_id}" / f"run_id={run_id}" / f"task_id={task_id}" / "attempt=1.log"
    return path.read_text()


def test_connection_passwords_and_secret_variables_are_masked_in_task_logs(
    sqlite_metastore, monkeypatch
):
    reset_secrets()
    monkeypatch.setenv("TRADEWIND_CONN_WAREHOUSE", "postgresql://etl:s3cr3t-pw-77@db:5432/dw")
    Variable.set("partner_api_key", "key-ABCDEF-123")
    Variable.set("region", "eu-west-1")

    def leak():
        conn = BaseHook.get_connection("warehouse")
        print(f"password={conn.password} uri={conn.get_uri()}")
        print("key", Variable.get("partner_api_key"), "region", Variable.get("region"))

    with DAG("mask_logs", start_date=LOGICAL, schedule=None) as dag:
        PythonOperator(task_id="leak", python_callable=leak)
    try:
        result = run_dag_test(dag, logical_date=LOGICAL, metastore=sqlite_metastore)
    finally:
        reset_secrets()
    assert result.state == "success"
    text = _log("mask_logs", result.run_id, "leak")
    assert "s3cr3t-pw-77" not in text and "key-ABCDEF-123" not in text
    assert "password=***" in text and "region eu-west-1" in text


SENSITIVE_KEYS = [
    "db_password",
    "client_secret",
    "smtp_passwd",
    "api_key",
    "partner_apikey",
    "token",
]


def test_secrets_are_masked_in_rendered_templates_and_logs_for_every_sensitive_key(
    sqlite_metastore, monkeypatch
):
    from sqlalchemy import select

    from tradewind.metastore.models import TaskInstance
    from tradewind.operators.bash import BashOperator

    reset_secrets()
    monkeypatch.setenv("TRADEWIND_CONN_WAREHOUSE", "postgresql://etl:pw-Conn-991@db:5432/dw")
    for i, key in enumerate(SENSITIVE_KEYS):
        Variable.set(key, f"value-{i}-hidden")
    Variable.set("plain_setting", "visible-value")
    refs = " ".join(f"{{{{ var.value.{key} }}}}" for key in SENSITIVE_KEYS)
    command = f"echo {{{{ conn.warehouse.password }}}} {refs} {{{{ var.value.plain_setting }}}}"
    with DAG("mask_templates", start_date=LOGICAL, schedule=None) as dag:
        BashOperator(task_id="echo", bash_command=command)
    try:
        result = run_dag_test(dag, logical_date=LOGICAL, metastore=sqlite_metastore)
    finally:
        reset_secrets()
    assert result.state == "success"
    with sqlite_metastore.session() as session:
        rendered = session.scalars(
            select(TaskInstance.rendered_fields).where(TaskInstance.dag_id == "mask_templates")
        ).one()
    masked = "echo " + " ".join(["***"] * (1 + len(SENSITIVE_KEYS))) + " visible-value"
    assert rendered["bash_command"] == masked
    text = _log("mask_templates", result.run_id, "echo")
    assert "hidden" not in text and "pw-Conn-991" not in text
    assert masked in text  # the echoed line, as the task printed it
