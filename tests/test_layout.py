"""The repository's shape and packaging, fixed by the product's user: one distribution,
`tradewind`, one console script, the top-level folders, dependencies with lower bounds."""

from __future__ import annotations

import importlib
import re
import shutil
import tomllib
from importlib.metadata import distribution
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
PACKAGES = ["tradewind", "scheduler", "worker", "broker_config", "dashboard"]
REQUIRED = {
    "dramatiq",
    "pika",
    "redis",
    "sqlalchemy",
    "alembic",
    "psycopg2-binary",
    "croniter",
    "jinja2",
    "click",
    "starlette",
    "uvicorn",
    "cryptography",
    "httpx",
}


def _pyproject() -> dict:
    return tomllib.loads((REPO / "pyproject.toml").read_text())


def test_the_top_level_holds_the_fixed_folders_and_files() -> None:
    names = {p.name for p in REPO.iterdir()}
    fixed = {"pyproject.toml", "README.md", "Makefile", ".ci", "dags", "tests", "compose"}
    assert fixed | set(PACKAGES) <= names


@pytest.mark.parametrize("package", PACKAGES)
def test_each_package_is_installed_from_this_checkout(package: str) -> None:
    module = importlib.import_module(package)
    assert Path(module.__file__).resolve().parent == REPO / package


def test_one_distribution_with_one_console_script_named_tradewind() -> None:
    project = _pyproject()["project"]
    assert project["name"] == "tradewind"
    assert project["scripts"] == {"tradewind": "tradewind.cli.main:main"}
    scripts = [e for e in distribution("tradewind").entry_points if e.group == "console_scripts"]
    assert [e.name for e in scripts] == ["tradewind"]
    assert shutil.which("tradewind") or (REPO / ".venv" / "bin" / "tradewind").exists()


def test_every_dependency_has_a_lower_bound_and_dev_holds_pytest_and_ruff() -> None:
    project = _pyproject()["project"]
    declared = {}
    for requirement in project["dependencies"]:
        name = re.split(r"[\[<>=!~ ]", requirement, maxsplit=1)[0].lower()
        declared[name] = requirement
        assert ">=" in requirement, f"{requirement} has no lower bound"
    assert set(declared) >= REQUIRED
    assert "rabbitmq" in declared["dramatiq"] and "redis" in declared["dramatiq"]
    dev = {
        re.split(r"[<>=]", r, maxsplit=1)[0].lower()
        for r in project["optional-dependencies"]["dev"]
    }
    assert {"pytest", "ruff"} <= dev


def test_the_ci_script_runs_the_readme_test_command() -> None:
    readme = (REPO / "README.md").read_text()
    ci = (REPO / ".ci" / "run").read_text()
    assert "make test" in readme and "make test" in ci
