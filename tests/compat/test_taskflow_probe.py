"""TaskFlow and dynamic task mapping as Airflow 2.x users write them, run with
``tradewind dags test``: the states and XComs are the ones Airflow gives.

Mapped task groups (``@task_group`` + ``.expand()`` / ``.partial().expand()`` /
``.expand_kwargs()``, Airflow 2.5+): every task of the group runs once per map index with the
group's arguments of that index; inside the group a task reads the same index of another
group task, outside it a task reads the list of every index's value.
"""

from __future__ import annotations

import json
import textwrap
from pathlib import Path
from typing import Any

import pytest

from tradewind.cli.errors import run_with_error_boundary
from tradewind.cli.main import cli
from tradewind.errors import DagDefinitionError
from tradewind.parsing.dagbag import DagBag


@pytest.fixture
def run_dag(sqlite_metastore, tw_home: Path, monkeypatch: pytest.MonkeyPatch, capsys):
    """``run_dag(source, dag_id)``: write ``source`` as a DAG file, run ``tradewind dags test
    dag_id`` and return the states (``task_id`` or ``task_id[map_index]`` -> state);
    ``run_dag.last`` is the whole JSON result."""
    dags = tw_home / "dags"
    monkeypatch.setenv("TRADEWIND__CORE__DAGS_FOLDER", str(dags))

    def _run(source: str, dag_id: str) -> dict[str, str]:
        (dags / f"{dag_id}.py").write_text(HEADER + textwrap.dedent(source))
        code = run_with_error_boundary(cli, ["dags", "test", dag_id, "-o", "json"])
        out, err = capsys.readouterr()
        assert code in (0, 1), f"dags test {dag_id} exited {code}: {err}\n{out}"
        result: dict[str, Any] = json.loads(out)
        _run.last = result  # type: ignore[attr-defined]
        return {
            t["task_id"] if t["map_index"] == -1 else f"{t['task_id']}[{t['map_index']}]": t[
                "state"
            ]
            for t in result["tasks"]
        }

    return _run


@pytest.fixture
def xcom(sqlite_metastore):
    """``xcom(result, task_id, map_index=None)``: the return value the run stored."""
    from tradewind.metastore.xcoms import pull_xcom

    def _pull(result: dict[str, Any], task_id: str, map_index: int | None = None) -> Any:
        with sqlite_metastore.session() as session:
            return pull_xcom(
                session,
                result["dag_id"],
                result["run_id"],
                task_id,
                "return_value",
                map_index=map_index,
            )

    return _pull


HEADER = """\
from datetime import datetime

from tradewind import dag, task, task_group
from tradewind.operators.bash import BashOperator
from tradewind.operators.python import get_current_context

"""


def test_a_mapped_task_group_runs_each_task_per_index_with_that_index_values(run_dag, xcom) -> None:
    states = run_dag(
        """
        @dag(dag_id="mapped_group", start_date=datetime(2024, 1, 1), schedule=None)
        def mapped_group():
            @task
            def nums():
                return ["1", "2", "3"]

            @task
            def double(x):
                return x * 2

            @task
            def add(x, y):
                return {"v": x + y, "mi": get_current_context()["ti"].map_index}

            @task_group
            def grp(x, y):
                BashOperator(task_id="echo", bash_command="echo $X-$Y", env={"X": x, "Y": y})
                return add(double(x), y)

            @task
            def total(values):
                return [v["v"] for v in values]

            total(grp.partial(y="0").expand(x=nums()))

        mapped_group()
        """,
        "mapped_group",
    )
    result = run_dag.last  # type: ignore[attr-defined]
    assert result["state"] == "success"
    assert states == {
        "nums": "success",
        **{f"grp.{t}[{i}]": "success" for t in ("double", "echo", "add") for i in range(3)},
        "total": "success",
    }
    assert [xcom(result, "grp.double", i) for i in range(3)] == ["11", "22", "33"]
    assert [xcom(result, "grp.echo", i) for i in range(3)] == ["1-0", "2-0", "3-0"]
    # inside the group: the same index of double; outside: every index of add
    assert [xcom(result, "grp.add", i) for i in range(3)] == [
        {"v": "110", "mi": 0},
        {"v": "220", "mi": 1},
        {"v": "330", "mi": 2},
    ]
    assert xcom(result, "total") == ["110", "220", "330"]


def test_a_mapped_task_group_over_literals_takes_the_cartesian_product(run_dag, xcom) -> None:
    states = run_dag(
        """
        @dag(dag_id="group_product", start_date=datetime(2024, 1, 1), schedule=None)
        def group_product():
            @task_group(group_id="pair")
            def pair(a, b, sep="-"):
                @task
                def join(a, b, sep):
                    return f"{a}{sep}{b}"

                return join(a, b, sep)

            @task
            def collect(values):
                return list(values)

            collect(pair.expand(a=[1, 2], b=["x", "y"]))

        group_product()
        """,
        "group_product",
    )
    result = run_dag.last  # type: ignore[attr-defined]
    assert result["state"] == "success"
    assert [k for k in states if k.startswith("pair.join")] == [f"pair.join[{i}]" for i in range(4)]
    assert xcom(result, "collect") == ["1-x", "1-y", "2-x", "2-y"]


def test_a_task_group_maps_over_an_upstream_list_of_kwargs(run_dag, xcom) -> None:
    states = run_dag(
        """
        @dag(dag_id="group_kwargs", start_date=datetime(2024, 1, 1), schedule=None)
        def group_kwargs():
            @task
            def configs():
                return [{"name": "a", "n": 1}, {"name": "b", "n": 2}, {"name": "c"}]

            @task_group
            def load(name, n):
                @task
                def show(name, n):
                    return f"{name}{n}"

                show(name, n)

            load.expand_kwargs(configs())

        group_kwargs()
        """,
        "group_kwargs",
    )
    result = run_dag.last  # type: ignore[attr-defined]
    # as in Airflow, a mapped argument missing from a dict fails that index only
    assert states == {
        "configs": "success",
        "load.show[0]": "success",
        "load.show[1]": "success",
        "load.show[2]": "failed",
    }
    assert [xcom(result, "load.show", i) for i in range(2)] == ["a1", "b2"]


def test_the_tasks_of_a_mapped_group_are_downstream_of_what_it_maps_over(tw_home) -> None:
    dags = tw_home / "dags"
    (dags / "shape.py").write_text(
        HEADER
        + textwrap.dedent(
            """
            @dag(dag_id="shape", start_date=datetime(2024, 1, 1), schedule=None)
            def shape():
                @task
                def items():
                    return [1, 2]

                @task
                def first(x):
                    return x

                @task
                def second(x):
                    return x

                @task_group
                def grp(x):
                    second(first(x))
                    BashOperator(task_id="alone", bash_command="echo hi")

                grp.expand(x=items())

            shape()
            """
        )
    )
    dag = DagBag(str(dags)).dags["shape"]
    assert dag.get_task("grp.first").upstream_task_ids == {"items"}
    assert dag.get_task("grp.alone").upstream_task_ids == {"items"}
    assert dag.get_task("grp.second").upstream_task_ids == {"grp.first"}
    assert all(dag.get_task(t).is_mapped for t in ("grp.first", "grp.second", "grp.alone"))


@pytest.mark.parametrize(
    ("call", "match"),
    [
        ("grp.expand()", "expand\\(\\) needs arguments"),
        ("grp.expand(z=[1])", "unexpected keyword argument 'z'"),
        ("grp.partial(x=1).expand(x=[2])", "both partial\\(\\) and expand\\(\\)"),
        ("grp.expand(x=5)", "must be a list, a dict or an XComArg"),
        ("inner_mapped.expand(x=[1])", "mapping a task inside a mapped task group"),
    ],
)
def test_a_mapped_task_group_refuses_what_airflow_refuses(call: str, match: str) -> None:
    from datetime import datetime

    from tradewind import DAG, task, task_group

    @task
    def show(x):
        return x

    @task_group
    def grp(x):
        show(x)

    @task_group
    def inner_mapped(x):
        show.expand(x=[x])

    with pytest.raises(DagDefinitionError, match=match):
        with DAG("refused", start_date=datetime(2024, 1, 1), schedule=None):
            eval(call, {"grp": grp, "inner_mapped": inner_mapped})


def test_one_failed_index_of_a_mapped_group_does_not_block_the_others(run_dag, xcom) -> None:
    """Airflow reads an upstream of the same mapped group at the task's own map index: index 1
    failing leaves indexes 0 and 2 to run, and an all_done collector gets their values."""
    states = run_dag(
        """
        @dag(dag_id="mapped_group_failure", start_date=datetime(2024, 1, 1), schedule=None)
        def mapped_group_failure():
            @task
            def check(x):
                if x == 2:
                    raise ValueError("bad input")
                return x

            @task
            def after(x):
                return x * 10

            @task_group
            def grp(x):
                return after(check(x))

            @task(trigger_rule="all_done")
            def collect(values):
                return sorted(v for v in values if v is not None)

            collect(grp.expand(x=[1, 2, 3]))

        mapped_group_failure()
        """,
        "mapped_group_failure",
    )
    assert states["grp.check[1]"] == "failed"
    assert states["grp.after[1]"] == "upstream_failed"
    assert (states["grp.after[0]"], states["grp.after[2]"]) == ("success", "success")
    assert states["collect"] == "success"
    assert xcom(run_dag.last, "collect") == [10, 30]  # type: ignore[attr-defined]


def test_multiple_outputs_is_inferred_from_the_return_annotation_only(
    run_dag, sqlite_metastore
) -> None:
    """Airflow resolves the return annotation alone, and takes any Mapping: a parameter
    annotated with a name imported under TYPE_CHECKING does not stop the inference."""
    run_dag(
        """
        from collections.abc import Mapping
        from typing import TYPE_CHECKING

        if TYPE_CHECKING:
            from pandas import DataFrame

        @dag(dag_id="infer_outputs", start_date=datetime(2024, 1, 1), schedule=None)
        def infer_outputs():
            @task
            def as_mapping(df: "DataFrame" = None) -> Mapping[str, int]:
                return {"m": 1}

            @task
            def as_dict() -> dict[str, int]:
                return {"d": 2}

            as_mapping()
            as_dict()

        infer_outputs()
        """,
        "infer_outputs",
    )
    from tradewind.metastore.xcoms import pull_xcom

    result = run_dag.last  # type: ignore[attr-defined]
    with sqlite_metastore.session() as session:
        pulled = [
            pull_xcom(session, "infer_outputs", result["run_id"], task_id, key)
            for task_id, key in (("as_mapping", "m"), ("as_dict", "d"))
        ]
    assert pulled == [1, 2]
