"""A reschedule-mode sensor under the real scheduler and local executor frees its slot."""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest


def _poke_times(driver: Any, run_id: str) -> list[datetime]:
    folder = Path(driver.settings.logging.base_log_folder) / "dag_id=au_reschedule"
    log = (folder / f"run_id={run_id}" / "task_id=wait_for_flag" / "attempt=1.log").read_text()
    stamps = [line[1:29] for line in log.splitlines() if "Poking for file" in line]
    return [datetime.strptime(s, "%Y-%m-%dT%H:%M:%S.%f%z") for s in stamps]


def test_a_reschedule_sensor_frees_its_only_slot_and_is_scheduled_again(
    driver: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("AU_FLAG_DIR", str(tmp_path))
    monkeypatch.setenv("TRADEWIND_CONN_FLAGS", f"fs://?path={tmp_path}")
    driver.copy_dags("au_reschedule.py")
    sched = driver.scheduler(parallelism=1)
    run_id = driver.trigger("au_reschedule")
    seen: list[str] = []

    def sensor_state() -> str:
        state = driver.tis("au_reschedule", run_id)[("wait_for_flag", -1)].state
        if not seen or seen[-1] != state:
            seen.append(state)
        return state

    driver.run_until(sched, lambda: sensor_state() == "up_for_reschedule")
    driver.run_until(sched, lambda: driver.run_done("au_reschedule", run_id))
    sensor_state()
    assert driver.runs("au_reschedule")[run_id].state == "success"
    tis = driver.tis("au_reschedule", run_id)
    assert {key[0]: ti.state for key, ti in tis.items()} == {
        "wait_for_flag": "success",
        "write_flag": "success",
        "after": "success",
    }
    assert seen[-2:] == ["up_for_reschedule", "success"]
    wait, write = tis[("wait_for_flag", -1)], tis[("write_flag", -1)]
    assert wait.try_number == 1  # rescheduling is not retrying
    first_poke, last_poke = _poke_times(driver, run_id)  # two pokes, one try, one log
    # the writer got the only slot between the two pokes: the sensor did not hold it
    assert first_poke < write.start_date and write.end_date <= last_poke
    assert last_poke - first_poke >= timedelta(seconds=1)  # scheduled again after poke_interval
