"""Dynamic task mapping of classic operators, inside nested task groups, under the real
scheduler: partial/expand and expand_kwargs over upstream lists, map_index on every task
instance, the list of results downstream, and an empty list that skips the mapped task."""

from __future__ import annotations

from typing import Any

from tradewind.metastore.xcoms import pull_xcom


def test_mapped_operators_run_once_per_item_and_feed_their_results_downstream(
    driver: Any,
) -> None:
    driver.copy_dags("au_mapping.py")
    sched = driver.scheduler(parallelism=4)
    run_id = driver.trigger("au_mapping")
    driver.run_until(sched, lambda: driver.run_done("au_mapping", run_id), timeout=90)
    assert driver.runs("au_mapping")[run_id].state == "success"
    states = {key: ti.state for key, ti in driver.tis("au_mapping", run_id).items()}
    assert states == {
        ("outer.numbers", -1): "success",
        ("outer.echo", 0): "success",
        ("outer.echo", 1): "success",
        ("outer.echo", 2): "success",
        ("outer.inner.kwargs_list", -1): "success",
        ("outer.inner.scale", 0): "success",
        ("outer.inner.scale", 1): "success",
        ("literal", 0): "success",
        ("literal", 1): "success",
        ("nothing", -1): "success",
        ("never", -1): "skipped",
        ("collect", -1): "success",
    }
    tis = driver.tis("au_mapping", run_id)
    # the group runs before the task that depends on the whole group
    group_end = max(ti.end_date for (task_id, _), ti in tis.items() if task_id.startswith("outer."))
    assert all(tis[("literal", i)].start_date >= group_end for i in (0, 1))
    with driver.metastore.session() as session:
        assert pull_xcom(session, "au_mapping", run_id, "outer.echo") == ["100", "200", "300"]
        assert pull_xcom(session, "au_mapping", run_id, "literal") == [1, 2]
        assert pull_xcom(session, "au_mapping", run_id, "collect") == {
            "echoed": ["100", "200", "300"],
            "scaled": [10, 21],
        }
