"""Driving the real dashboard in headless Chromium, with a real scheduler running the DAGs."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

import pytest

if TYPE_CHECKING:
    from tests.browser.conftest import Stack

pytestmark = pytest.mark.browser


def test_trigger_a_dag_and_watch_its_grid_turn_green(
    page: Any, stack: Stack, log_in: Any, until: Any
) -> None:
    log_in(page)
    row = page.locator('tr[data-dag-id="bw_quick"]')
    row.locator("button.trigger").click()
    page.wait_for_url("**/dags/bw_quick")
    assert page.locator(".flash").first.inner_text().startswith("Triggered bw_quick")
    until(lambda: stack.runs("bw_quick"), 10, "the run to exist")
    cells = page.locator("a.cell")

    def all_green() -> bool:
        from playwright.sync_api import Error

        try:
            states = cells.evaluate_all("els => els.map(e => e.dataset.state)")
        except Error:  # the page reloaded itself mid-evaluation (live grid): look again
            return False
        return len(states) == 4 and set(states) == {"success"}

    # the grid reloads itself while the run is active; no reload by the test
    until(all_green, 60, "every cell of the grid to turn green")
    assert page.locator("th.task-col").all_inner_texts()[1:] == [
        "start",
        "work.a",
        "work.b",
        "end",
    ]
    assert stack.runs("bw_quick")[-1][1] == "success"
    color = cells.first.evaluate("e => getComputedStyle(e).backgroundColor")
    assert color == "rgb(0, 128, 0)"


def test_the_graph_is_coloured_by_the_run_and_groups_collapse_and_the_gantt_draws_tries(
    page: Any, stack: Stack, log_in: Any, until: Any
) -> None:
    if not stack.runs("bw_quick"):
        stack_trigger(stack, "bw_quick")
    until(lambda: stack.runs("bw_quick")[-1][1] == "success", 60, "a finished bw_quick run")
    run_id = stack.runs("bw_quick")[-1][0]
    log_in(page)
    page.goto(f"/dags/bw_quick/graph?run_id={run_id}")
    nodes = page.locator("svg#graph .node")
    assert nodes.count() == 4
    assert set(nodes.evaluate_all("els => els.map(e => e.dataset.state)")) == {"success"}
    assert page.locator("svg#graph .edge").count() == 3
    member = page.locator('svg#graph .node[data-task-id="work.a"]')
    assert member.is_visible()
    page.locator('svg#graph .group[data-group="work"] text').click()
    assert member.is_hidden()
    assert page.locator('svg#graph .group[data-group="work"]').get_attribute("class") == (
        "group collapsed"
    )
    page.screenshot(path=_artifact("graph_collapsed"))
    page.locator('svg#graph .group[data-group="work"] text').click()
    assert member.is_visible()
    page.screenshot(path=_artifact("graph_expanded"))

    page.click("nav.tabs >> text=Gantt")
    page.wait_for_url(re.compile(r".*/gantt\?run_id=.*"))
    bars = page.locator("svg#gantt .bar")
    assert bars.count() == 4
    assert set(bars.evaluate_all("els => els.map(e => e.dataset.state)")) == {"success"}
    widths = page.locator("svg#gantt .bar rect").evaluate_all(
        "els => els.map(e => parseFloat(e.getAttribute('width')))"
    )
    assert all(w > 0 for w in widths)


def stack_trigger(stack: Stack, dag_id: str) -> str:
    from tradewind.metastore.runs import trigger_dag

    with stack.metastore.session() as session:
        return trigger_dag(session, dag_id).run_id


def _artifact(name: str) -> str:
    from pathlib import Path

    folder = Path(__file__).resolve().parents[1] / "artifacts"
    folder.mkdir(parents=True, exist_ok=True)
    return str(folder / f"{name}.png")


def test_a_running_tasks_log_grows_on_the_page(
    page: Any, stack: Stack, log_in: Any, until: Any
) -> None:
    log_in(page)
    run_id = stack_trigger(stack, "bw_slow_log")
    until(lambda: stack.ti("bw_slow_log", run_id, "talk")[0] == "running", 30, "talk to run")
    page.goto(f"/dags/bw_slow_log/runs/{run_id}/tasks/talk")
    page.evaluate("window.__same_page = true")
    log = page.locator("pre#log")
    until(lambda: "progress line 2" in log.inner_text(), 20, "the first lines")
    first = log.inner_text()
    assert "progress line 16" not in first
    until(lambda: "progress line 9" in log.inner_text(), 20, "more lines without a reload")
    assert page.evaluate("window.__same_page") is True
    assert log.inner_text().startswith(first[:40])
    until(lambda: "progress line 16" in log.inner_text(), 20, "the last line")
    until(lambda: "success" in page.locator("#log-status").inner_text(), 20, "the try to finish")
    assert log.inner_text().count("progress line 3\n") == 1
    assert page.locator("#ti-state .state").inner_text() == "success"


def test_clear_a_failed_task_and_see_it_run_again(
    page: Any, stack: Stack, log_in: Any, until: Any
) -> None:
    run_id = stack_trigger(stack, "bw_flaky")
    until(lambda: stack.ti("bw_flaky", run_id, "flaky")[0] == "failed", 40, "flaky to fail")
    log_in(page)
    page.goto(f"/dags/bw_flaky/runs/{run_id}/tasks/flaky")
    assert page.locator("#ti-state .state").inner_text() == "failed"
    assert "no flag yet" in page.locator("pre#log").inner_text()
    (stack.home / "flag").write_text("go")
    page.click("#clear-task")
    page.wait_for_url(re.compile(r".*/tasks/flaky.*"))
    assert "Cleared 1 task instance(s)" in page.locator(".flash").first.inner_text()

    def succeeded() -> bool:
        page.reload()
        return page.locator("#ti-state .state").inner_text() == "success"

    until(succeeded, 40, "the cleared task to run again and succeed", every=1.0)
    tries = page.locator("nav.tries a")
    assert [t.strip() for t in tries.all_inner_texts()] == ["Try 1", "Try 2"]
    assert tries.nth(0).get_attribute("data-state") == "failed"
    assert tries.nth(1).get_attribute("data-state") == "success"
    assert "flag found" in page.locator("pre#log").inner_text()
    assert stack.ti("bw_flaky", run_id, "flaky") == ("success", 2)


def test_a_viewer_is_refused_a_trigger(page: Any, stack: Stack, log_in: Any) -> None:
    before = len(stack.runs("bw_flaky"))
    log_in(page, "viewer")
    page.locator('tr[data-dag-id="bw_flaky"] button.trigger').click()
    assert page.locator("h1").inner_text() == "403 Forbidden"
    assert "may not do this" in page.locator("#error-message").inner_text()
    assert len(stack.runs("bw_flaky")) == before
