"""``XComArg.zip()``: mapping over upstream results combined item by item, run for real."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from tradewind import DAG, task
from tradewind.parsing.loader import load_file
from tradewind.parsing.serialize import serialize_dag
from tradewind.sdk.xcom_arg import ZipXComArg

HEADER = """
from datetime import datetime, UTC
from tradewind import DAG
from tradewind.decorators import task

with DAG("zip_dag", start_date=datetime(2024, 1, 1, tzinfo=UTC), schedule=None):
    @task
    def nums():
        return [1, 2, 3]

    @task
    def letters():
        return ["a", "b", "c", "d"]

    @task
    def show(pair):
        return "-".join(str(p) for p in pair)

    @task
    def collect(values):
        return list(values)
"""


def _run(store: Any, tmp_path: Path, body: str) -> tuple[Any, list[Any]]:
    """Run the DAG ``HEADER + body`` with dag.test(); its result and ``collect``'s XCom."""
    path = tmp_path / "zip_dag.py"
    path.write_text(HEADER + body)
    (dag,) = load_file(str(path), timeout=30, safe_mode=False).dags
    result = dag.test(logical_date=datetime(2024, 6, 1, tzinfo=UTC))
    from tradewind.metastore.xcoms import pull_xcom

    with store.session() as session:
        collected = pull_xcom(session, "zip_dag", result.run_id, "collect")
    return result, collected


def _mapped(result: Any, task_id: str) -> list[int]:
    return sorted(t.map_index for t in result.tasks if t.task_id == task_id)


def test_zip_maps_over_the_shortest_input(sqlite_metastore: Any, tmp_path: Path) -> None:
    result, collected = _run(
        sqlite_metastore, tmp_path, "    collect(show.expand(pair=nums().zip(letters())))\n"
    )
    assert result.state == "success"
    assert _mapped(result, "show") == [0, 1, 2]
    assert collected == ["1-a", "2-b", "3-c"]


def test_zip_with_a_fillvalue_maps_over_the_longest_input(
    sqlite_metastore: Any, tmp_path: Path
) -> None:
    body = "    collect(show.expand(pair=nums().zip(letters(), fillvalue=0)))\n"
    result, collected = _run(sqlite_metastore, tmp_path, body)
    assert result.state == "success"
    assert _mapped(result, "show") == [0, 1, 2, 3]
    assert collected == ["1-a", "2-b", "3-c", "0-d"]


def test_map_after_zip_and_a_literal_argument_alongside(
    sqlite_metastore: Any, tmp_path: Path
) -> None:
    body = (
        "    @task\n"
        "    def join(pair, sep):\n"
        "        return sep.join(pair)\n"
        "    pairs = nums().zip(letters()).map(lambda p: (p[1], str(p[0] * 10)))\n"
        "    collect(join.partial(sep=':').expand(pair=pairs))\n"
    )
    result, collected = _run(sqlite_metastore, tmp_path, body)
    assert result.state == "success"
    assert collected == ["a:10", "b:20", "c:30"]


def test_zip_makes_every_zipped_task_upstream_and_is_in_the_spec() -> None:
    with DAG("d", schedule=None) as dag:

        @task
        def a() -> list[int]:
            return [1]

        @task
        def b() -> list[int]:
            return [2]

        @task
        def c(x: Any) -> Any:
            return x

        zipped = a().zip(b(), fillvalue=None)
        c.expand(x=zipped)
    assert isinstance(zipped, ZipXComArg)
    assert dag.get_task("c").upstream_task_ids == {"a", "b"}
    spec = serialize_dag(dag).task("c")
    assert (spec.mapped, spec.map_upstream) == ("upstream", ("a", "b"))
    assert spec.map_zip == (("zip_longest", "a", "b"),)


def test_zip_refuses_a_non_return_value_key() -> None:
    with DAG("d", schedule=None):

        @task(multiple_outputs=True)
        def a() -> dict[str, int]:
            return {"k": 1}

        with pytest.raises(ValueError, match="return value"):
            a()["k"].zip(a())


def test_a_literal_list_beside_an_upstream_result_maps_over_their_cross_product(
    sqlite_metastore: Any, tmp_path: Path
) -> None:
    body = (
        "    @task\n"
        "    def pair(n, suffix):\n"
        "        return f'{n}{suffix}'\n"
        "    collect(pair.expand(n=nums(), suffix=['x', 'y']))\n"
    )
    result, collected = _run(sqlite_metastore, tmp_path, body)
    assert result.state == "success"
    assert _mapped(result, "pair") == [0, 1, 2, 3, 4, 5]
    assert sorted(collected) == ["1x", "1y", "2x", "2y", "3x", "3y"]
