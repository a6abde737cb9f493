"""All eleven trigger rules through `tradewind dags test`, with skips and failures propagating
downstream as Airflow 2 propagates them (the pure truth table: tests/core/test_trigger_rules.py).
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tradewind.cli.errors import run_with_error_boundary
from tradewind.cli.main import cli

DAG_FILE = """
from datetime import datetime

from tradewind import DAG
from tradewind.operators import BashOperator, EmptyOperator

with DAG("every_trigger_rule", start_date=datetime(2024, 1, 1), schedule=None):
    ok = EmptyOperator(task_id="ok")
    boom = BashOperator(task_id="boom", bash_command="exit 1", retries=0)
    skip = BashOperator(task_id="skip", bash_command="exit 99")

    def rule(task_id, trigger_rule, *upstream):
        op = EmptyOperator(task_id=task_id, trigger_rule=trigger_rule)
        list(upstream) >> op
        return op

    skipped_by_skip = rule("all_success__ok_skip", "all_success", ok, skip)
    failed_by_boom = rule("all_success__ok_boom", "all_success", ok, boom)
    rule("all_failed__boom", "all_failed", boom)
    rule("all_failed__boom_ok", "all_failed", boom, ok)
    rule("all_done__ok_boom_skip", "all_done", ok, boom, skip)
    rule("all_skipped__skip", "all_skipped", skip)
    rule("all_skipped__skip_ok", "all_skipped", skip, ok)
    rule("one_success__ok_boom", "one_success", ok, boom)
    rule("one_success__skip", "one_success", skip)
    rule("one_success__boom_skip", "one_success", boom, skip)
    rule("one_failed__boom_ok", "one_failed", boom, ok)
    rule("one_failed__ok_skip", "one_failed", ok, skip)
    rule("one_done__skip_boom", "one_done", skip, boom)
    rule("one_done__skip", "one_done", skip)
    rule("none_failed__ok_skip", "none_failed", ok, skip)
    rule("none_failed__ok_boom", "none_failed", ok, boom)
    rule("none_failed_min_one_success__ok_skip", "none_failed_min_one_success", ok, skip)
    rule("none_failed_min_one_success__skip", "none_failed_min_one_success", skip)
    rule("none_failed_min_one_success__boom_ok", "none_failed_min_one_success", boom, ok)
    rule("none_skipped__ok_boom", "none_skipped", ok, boom)
    rule("none_skipped__ok_skip", "none_skipped", ok, skip)
    rule("always__boom_skip", "always", boom, skip)

    # how a skip and an upstream failure travel further down
    skip_travels = rule("skip_travels", "all_success", skipped_by_skip)
    rule("skip_travels_again", "all_success", skip_travels)
    failure_travels = rule("failure_travels", "all_success", failed_by_boom)
    rule("failure_travels_again", "all_success", failure_travels)
    rule("all_done_after_a_skip", "all_done", skip_travels)
    rule("none_failed_after_a_skip", "none_failed", skip_travels)
    rule("one_failed_after_upstream_failed", "one_failed", failure_travels)
"""

EXPECTED = {
    "ok": "success",
    "boom": "failed",
    "skip": "skipped",
    "all_success__ok_skip": "skipped",
    "all_success__ok_boom": "upstream_failed",
    "all_failed__boom": "success",
    "all_failed__boom_ok": "skipped",
    "all_done__ok_boom_skip": "success",
    "all_skipped__skip": "success",
    "all_skipped__skip_ok": "skipped",
    "one_success__ok_boom": "success",
    "one_success__skip": "skipped",
    "one_success__boom_skip": "upstream_failed",
    "one_failed__boom_ok": "success",
    "one_failed__ok_skip": "skipped",
    "one_done__skip_boom": "success",
    "one_done__skip": "skipped",
    "none_failed__ok_skip": "success",
    "none_failed__ok_boom": "upstream_failed",
    "none_failed_min_one_success__ok_skip": "success",
    "none_failed_min_one_success__skip": "skipped",
    "none_failed_min_one_success__boom_ok": "upstream_failed",
    "none_skipped__ok_boom": "success",
    "none_skipped__ok_skip": "skipped",
    "always__boom_skip": "success",
    "skip_travels": "skipped",
    "skip_travels_again": "skipped",
    "failure_travels": "upstream_failed",
    "failure_travels_again": "upstream_failed",
    "all_done_after_a_skip": "success",
    "none_failed_after_a_skip": "success",
    "one_failed_after_upstream_failed": "success",
}


def test_every_trigger_rule_decides_and_propagates_as_airflow_in_dags_test(
    sqlite_metastore, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "every_trigger_rule.py").write_text(DAG_FILE)
    code = run_with_error_boundary(
        cli, ["dags", "test", "every_trigger_rule", "2024-01-01", "-S", str(tmp_path), "-o", "json"]
    )
    result = json.loads(capsys.readouterr().out)
    states = {t["task_id"]: t["state"] for t in result["tasks"]}
    assert states == EXPECTED
    assert (code, result["state"]) == (1, "failed")  # failed and upstream_failed leaves
