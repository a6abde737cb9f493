"""DAG validation tests (the first of the seed notes' five test categories): every DAG file in
dags/ imports cleanly, quickly and cheaply, and every DAG is well-formed."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from tradewind.parsing.dagbag import DagBag
from tradewind.parsing.loader import load_file

REPO = Path(__file__).resolve().parent.parent
DAGS = REPO / "dags"
EXAMPLE_FILES = sorted(p.name for p in DAGS.glob("*.py"))
#: seed DAGs kept exactly as the seed notes wrote them (imports aside): no tags there
VERBATIM_SEEDS = {"parallel_example"}


@pytest.fixture(scope="module")
def bag() -> DagBag:
    return DagBag(DAGS, import_timeout=30)


def test_the_dags_folder_has_no_import_errors(bag: DagBag) -> None:
    assert bag.import_errors == {}
    assert len(bag.dags) >= len(EXAMPLE_FILES)


def test_the_seed_notes_dags_are_there(bag: DagBag) -> None:
    seed = {"parallel_example", "user_processing", "producer", "consumer"}
    examples = {"example_bash_operator", "example_xcom", "example_branch", "example_taskflow"}
    assert seed | examples | {"example_queues"} <= set(bag.dags)


@pytest.mark.parametrize("filename", EXAMPLE_FILES)
def test_each_dag_file_defines_a_dag_quickly(filename: str) -> None:
    loaded = load_file(DAGS / filename)
    assert loaded.import_error is None
    assert loaded.dags, f"{filename} defines no DAG"
    assert loaded.duration < 2.0, f"{filename} took {loaded.duration:.2f} s to import"


def test_every_dag_has_tags_an_owner_and_no_cycle(bag: DagBag) -> None:
    for dag_id, dag in bag.dags.items():
        assert dag.tags or dag_id in VERBATIM_SEEDS, f"{dag_id} has no tags"
        assert dag.owner, f"{dag_id} has no owner"
        assert dag.tasks, f"{dag_id} has no tasks"
        dag.check_cycle()
        assert dag.fileloc.startswith(str(DAGS))


def test_task_ids_are_unique_and_every_edge_stays_inside_its_dag(bag: DagBag) -> None:
    for dag in bag.dags.values():
        ids = [t.task_id for t in dag.tasks]
        assert len(ids) == len(set(ids))
        for t in dag.tasks:
            assert t.upstream_task_ids <= set(ids) and t.downstream_task_ids <= set(ids)


def test_the_queue_example_routes_heavy_tasks_to_high_cpu(bag: DagBag) -> None:
    dag = bag.get_dag("example_queues")
    queues = {t.task_id: t.queue for t in dag.tasks}
    assert queues["crunch_numbers"] == "high_cpu" and queues["train_model"] == "high_cpu"
    assert queues["fetch"] == "default"


def test_importing_every_dag_file_leaves_heavy_libraries_unimported() -> None:
    code = (
        "import json, sys\n"
        "from tradewind.parsing.dagbag import DagBag\n"
        f"bag = DagBag({str(DAGS)!r})\n"
        "heavy = ['sqlalchemy', 'dramatiq', 'starlette', 'psycopg2', 'httpx']\n"
        "print(json.dumps({'errors': bag.import_errors, 'dags': len(bag.dags),\n"
        "                  'heavy': [m for m in heavy if m in sys.modules]}))\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=True
    ).stdout
    result = json.loads(out)
    assert result["errors"] == {} and result["dags"] >= len(EXAMPLE_FILES)
    assert result["heavy"] == []
