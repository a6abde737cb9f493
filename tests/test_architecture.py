"""The rules of ../shared/DESIGN.md that code review alone would let slip, checked on the source.

Layering between the packages, the one state writer, module size, and no grab-bag modules.
Each check parses the source with ``ast`` (nothing is imported) and names every offender.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
PACKAGES = ("tradewind", "broker_config", "scheduler", "worker", "dashboard")
STATE_WRITER = REPO / "tradewind" / "metastore" / "transitions.py"
#: the state writer's Postgres companion: the worker's claim and finish in one statement each
STATE_WRITER_PG = REPO / "tradewind" / "metastore" / "transitions_pg.py"
MAX_LINES = 450

#: package (or sub-package) -> the top-level packages it must never import
FORBIDDEN: dict[str, set[str]] = {
    "tradewind": {"scheduler", "worker", "dashboard", "broker_config"},
    "broker_config": {"scheduler", "worker", "dashboard"},
    "scheduler": {"worker", "dashboard"},
    "worker": {"scheduler", "dashboard"},
    "dashboard": {"scheduler", "worker"},
}


def source_files(root: Path = REPO) -> Iterator[Path]:
    for package in PACKAGES:
        for path in sorted((root / package).rglob("*.py")):
            if "migrations/versions" not in path.as_posix():
                yield path


def module_name(path: Path, root: Path = REPO) -> str:
    parts = list(path.relative_to(root).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def parse(path: Path) -> ast.Module:
    return ast.parse(path.read_text(encoding="utf-8"), filename=str(path))


def imported_modules(path: Path, root: Path = REPO) -> Iterator[tuple[int, str]]:
    """Every module an import statement names (at any depth: lazy imports count too)."""
    package = module_name(path, root).split(".")
    if path.name != "__init__.py":
        package = package[:-1]
    for node in ast.walk(parse(path)):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield node.lineno, alias.name
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package[: len(package) - node.level + 1]
                yield node.lineno, ".".join([*base, *([node.module] if node.module else [])])
            elif node.module:
                yield node.lineno, node.module


def layer_of(path: Path, root: Path = REPO) -> str | None:
    """The layering rule a file falls under; tradewind/cli may import everything."""
    rel = path.relative_to(root).parts
    if rel[0] == "tradewind" and len(rel) > 1 and rel[1] == "cli":
        return None
    return rel[0]


def layering_violations(root: Path = REPO) -> list[str]:
    found = []
    for path in source_files(root):
        layer = layer_of(path, root)
        if layer is None:
            continue
        for line, module in imported_modules(path, root):
            top = module.split(".")[0]
            if top in FORBIDDEN[layer]:
                found.append(f"{path.relative_to(root)}:{line} imports {module}")
    return found


def test_packages_import_only_what_the_layering_allows() -> None:
    assert layering_violations() == []


def test_the_layering_check_catches_forbidden_imports_even_lazy_ones(tmp_path: Path) -> None:
    files = {
        "worker/actor.py": "def f():\n    from scheduler.loop import run\n",
        "tradewind/runtime/x.py": "import broker_config.factory\n",
        "dashboard/views/a.py": "from worker import heartbeat\n",
        "scheduler/a.py": "from . import b\nfrom .executors import local\n",
        "tradewind/cli/worker_cmd.py": "from worker.main import run\n",
        "broker_config/a.py": "from tradewind.errors import BrokerError\n",
    }
    for name, code in files.items():
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text(code)
    assert sorted(layering_violations(tmp_path)) == [
        "dashboard/views/a.py:1 imports worker",
        "tradewind/runtime/x.py:1 imports broker_config.factory",
        "worker/actor.py:2 imports scheduler.loop",
    ]


# -- the one state writer -------------------------------------------------------------------

_STATE_MODELS = {"TaskInstance", "DagRun"}
_RAW_STATE_UPDATE = re.compile(
    r"update\s+(task_instance|dag_run)\s+set\b[^;]*\bstate\b", re.I | re.S
)


def _names_in(node: ast.AST) -> set[str]:
    return {n.id for n in ast.walk(node) if isinstance(n, ast.Name)} | {
        n.attr for n in ast.walk(node) if isinstance(n, ast.Attribute)
    }


def _writes_state(call: ast.Call) -> bool:
    """``.values(state=...)`` / ``.values({"state": ...})`` / ``.update({"state": ...})``."""
    if any(k.arg == "state" for k in call.keywords):
        return True
    for arg in call.args:
        if isinstance(arg, ast.Dict):
            for key in arg.keys:
                if isinstance(key, ast.Constant) and key.value == "state":
                    return True
                if isinstance(key, ast.Attribute) and key.attr == "state":
                    return True
    return False


def _is_state_attribute(target: ast.expr) -> bool:
    """``row.state`` as an assignment target. ``self.state`` is an object keeping its own
    attribute (models have no methods, so never a row); ``request.state.user`` is Starlette's
    state namespace, whose target is ``.user``."""
    if not (isinstance(target, ast.Attribute) and target.attr == "state"):
        return False
    return not (isinstance(target.value, ast.Name) and target.value.id == "self")


def state_writes(tree: ast.AST) -> Iterator[tuple[int, str]]:
    for node in ast.walk(tree):
        targets: list[ast.expr] = []
        if isinstance(node, ast.Assign):
            targets = node.targets
        elif isinstance(node, ast.AugAssign | ast.AnnAssign):
            targets = [node.target]
        for target in targets:
            elements = target.elts if isinstance(target, ast.Tuple | ast.List) else [target]
            for sub in elements:
                if _is_state_attribute(sub):
                    yield node.lineno, f"assigns {ast.unparse(sub)}"
        if isinstance(node, ast.Call):
            func = node.func
            if (
                isinstance(func, ast.Name)
                and func.id == "setattr"
                and len(node.args) >= 2
                and isinstance(node.args[1], ast.Constant)
                and node.args[1].value == "state"
            ):
                yield node.lineno, "setattr(..., 'state', ...)"
            if (
                isinstance(func, ast.Attribute)
                and func.attr in ("values", "update")
                and _writes_state(node)
                and _names_in(func.value) & _STATE_MODELS
            ):
                yield node.lineno, f"UPDATE of a state via .{func.attr}()"
        is_text = isinstance(node, ast.Constant) and isinstance(node.value, str)
        if is_text and _RAW_STATE_UPDATE.search(node.value):
            yield node.lineno, "raw SQL UPDATE of a state"


def test_only_transitions_writes_task_and_run_states() -> None:
    found = [
        f"{path.relative_to(REPO)}:{line} {what}"
        for path in source_files()
        if path not in (STATE_WRITER, STATE_WRITER_PG)
        for line, what in state_writes(parse(path))
    ]
    assert found == [], f"write states through tradewind/metastore/transitions.py: {found}"


@pytest.mark.parametrize(
    "code",
    [
        "ti.state = 'success'",
        "run.state: str = 'failed'",
        "outcome.state, outcome.error = 'failed', None",
        "runs[0].state = 'queued'",
        "setattr(ti, 'state', 'x')",
        "session.execute(update(TaskInstance).where(x).values(state='queued'))",
        "session.execute(update(DagRun).values({DagRun.state: 'queued'}))",
        "session.query(TaskInstance).filter(y).update({'state': 'none'})",
        "TaskInstance.__table__.update().values(state='x')",
        "conn.execute(text('UPDATE task_instance SET state = :s WHERE 1'))",
    ],
)
def test_the_state_writer_check_catches_each_way_of_writing_a_state(code: str) -> None:
    assert list(state_writes(ast.parse(code)))


def test_the_state_writer_check_allows_other_columns() -> None:
    code = (
        "session.execute(update(TaskInstance).values(hostname='h'))\n"
        "x = run.state\n"
        "request.state.user = user\n"
        "app.state.settings = settings\n"
    )
    assert list(state_writes(ast.parse(code))) == []


# -- size and names -------------------------------------------------------------------------


def test_no_module_is_over_450_lines() -> None:
    too_long = {
        str(path.relative_to(REPO)): n
        for path in source_files()
        if (n := len(path.read_text(encoding="utf-8").splitlines())) > MAX_LINES
    }
    assert too_long == {}, f"split these modules by responsibility: {too_long}"


def test_no_grab_bag_modules_named_utils_or_helpers() -> None:
    roots = [REPO / p for p in PACKAGES] + [REPO / "tests"]
    found = [
        str(path.relative_to(REPO))
        for root in roots
        for path in root.rglob("*.py")
        if path.name in ("utils.py", "helpers.py")
    ]
    assert found == []
