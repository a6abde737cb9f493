"""TriggerDagRunOperator under the real scheduler: the triggered runs really run, with conf,
and the controller waits for them; a run triggered with bad conf is refused naming the param."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

import pytest

from tradewind.cli.errors import run_with_error_boundary
from tradewind.cli.main import cli
from tradewind.errors import ParamValidationError
from tradewind.metastore.xcoms import pull_xcom

LOGICAL = datetime(2024, 3, 1, tzinfo=UTC)


def test_the_triggered_runs_run_and_the_controller_waits_for_their_outcome(driver: Any) -> None:
    driver.copy_dags("au_trigger.py")
    sched = driver.scheduler(parallelism=4)
    run_id = driver.trigger("au_controller", logical_date=LOGICAL)
    driver.run_until(sched, lambda: driver.run_done("au_controller", run_id), timeout=90)
    targets = driver.runs("au_target")
    ok, bad = targets[f"ok_{run_id}"], targets[f"bad_{run_id}"]
    assert (ok.state, ok.conf, ok.logical_date, ok.external_trigger) == (
        "success",
        {"n": 4},
        LOGICAL,
        True,
    )
    assert bad.state == "failed" and bad.conf == {"n": 1, "fail": True}
    with driver.metastore.session() as session:
        assert pull_xcom(session, "au_target", ok.run_id, "work") == 40  # conf reached the task
    controller = driver.tis("au_controller", run_id)
    assert controller[("trigger_ok", -1)].state == "success"
    # wait_for_completion saw the target fail: failed_states fail the controller's task
    assert controller[("trigger_bad", -1)].state == "failed"
    assert controller[("trigger_ok", -1)].end_date >= ok.end_date
    assert driver.runs("au_controller")[run_id].state == "failed"


@pytest.mark.parametrize(
    ("conf", "param"),
    [('{"n": -1}', "n"), ('{"n": "many"}', "n"), ('{"fail": "yes"}', "fail")],
)
def test_a_trigger_with_conf_that_breaks_a_param_is_refused_naming_it(
    driver: Any, capsys: pytest.CaptureFixture[str], conf: str, param: str
) -> None:
    driver.copy_dags("au_trigger.py")
    driver.scheduler(parallelism=1)
    code = run_with_error_boundary(cli, ["dags", "trigger", "au_target", "-c", conf])
    err = capsys.readouterr().err
    assert code == 1 and "Traceback" not in err
    assert f"Param '{param}'" in err, err
    with pytest.raises(ParamValidationError, match=param):
        driver.trigger("au_target", conf=json.loads(conf))
    assert driver.runs("au_target") == {}
    assert run_with_error_boundary(cli, ["dags", "trigger", "au_target", "-c", '{"n": 2}']) == 0
    assert [r.conf for r in driver.runs("au_target").values()] == [{"n": 2}]
