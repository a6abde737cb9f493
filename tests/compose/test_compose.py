"""compose/: no Docker engine runs here, so the file is checked as data."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml

COMPOSE = Path(__file__).resolve().parents[2] / "compose"


@pytest.fixture(scope="module")
def spec() -> dict:
    return yaml.safe_load((COMPOSE / "docker-compose.yaml").read_text())


@pytest.fixture(scope="module")
def services(spec: dict) -> dict:
    return spec["services"]


def test_every_component_of_the_fleet_is_a_service(services: dict) -> None:
    assert set(services) == {
        "postgres",
        "rabbitmq",
        "redis",
        "init",
        "scheduler",
        "dashboard",
        "worker",
        "worker-high-cpu",
    }
    assert "management" in services["rabbitmq"]["image"]


def test_each_tradewind_service_runs_the_right_command(services: dict) -> None:
    assert services["scheduler"]["command"] == ["scheduler"]
    assert services["dashboard"]["command"] == ["dashboard"]
    worker = services["worker"]["command"]
    assert worker[:3] == ["worker", "-q", "default"] and "-c" in worker
    assert services["worker-high-cpu"]["command"][:3] == ["worker", "-q", "high_cpu"]
    init = " ".join(services["init"]["command"])
    assert "tradewind db upgrade" in init and "tradewind users create --role Admin" in init
    assert services["init"]["restart"] == "no"


def test_workers_can_be_scaled(services: dict) -> None:
    for name in ("worker", "worker-high-cpu"):
        assert "container_name" not in services[name]
        assert "ports" not in services[name]
        assert services[name].get("stop_grace_period")


def test_tradewind_services_wait_for_healthy_backends_and_the_init(services: dict) -> None:
    for name in ("scheduler", "dashboard", "worker", "worker-high-cpu"):
        deps = services[name]["depends_on"]
        assert deps["postgres"]["condition"] == "service_healthy"
        assert deps["rabbitmq"]["condition"] == "service_healthy"
        assert deps["init"]["condition"] == "service_completed_successfully"
    assert services["init"]["depends_on"]["postgres"]["condition"] == "service_healthy"


def test_every_long_running_service_has_a_health_check(services: dict) -> None:
    for name, service in services.items():
        if name != "init":
            assert service.get("healthcheck", {}).get("test"), name


def test_the_fleet_points_at_postgres_and_rabbitmq_with_credentials_from_env(
    services: dict,
) -> None:
    for name in ("init", "scheduler", "dashboard", "worker", "worker-high-cpu"):
        env = services[name]["environment"]
        assert env["TRADEWIND__DATABASE__URL"].startswith("postgresql+psycopg2://${POSTGRES_USER}:")
        assert env["TRADEWIND__DATABASE__URL"].endswith("@postgres:5432/${POSTGRES_DB}")
        assert env["TRADEWIND__BROKER__URL"].startswith("amqp://${RABBITMQ_DEFAULT_USER}:")
        assert env["TRADEWIND__SCHEDULER__EXECUTOR"] == "broker"
        assert env["TRADEWIND__CORE__SECRET_KEY"] == "${TRADEWIND_SECRET_KEY}"
    text = (COMPOSE / "docker-compose.yaml").read_text()
    assert "guest" not in text
    for service in services.values():
        for key, value in (service.get("environment") or {}).items():
            if "PASS" in key or "SECRET" in key or "FERNET" in key:
                assert str(value).startswith("${"), (key, value)


def test_every_variable_the_file_uses_is_in_env_example() -> None:
    text = (COMPOSE / "docker-compose.yaml").read_text()
    used = set(re.findall(r"(?<!\$)\$\{([A-Z0-9_]+)(?::-[^}]*)?\}", text))
    example = (COMPOSE / ".env.example").read_text()
    defined = {line.split("=", 1)[0] for line in example.splitlines() if "=" in line}
    assert used and used <= defined, used - defined


def test_the_dockerfile_copies_every_package_and_runs_tradewind() -> None:
    text = (COMPOSE / "Dockerfile").read_text()
    repo = COMPOSE.parent
    for package in ("tradewind", "scheduler", "worker", "broker_config", "dashboard"):
        assert f"COPY {package} ./{package}" in text
        assert (repo / package / "__init__.py").exists()
    assert 'ENTRYPOINT ["tradewind"]' in text
    assert "USER tradewind" in text


def test_every_tradewind_command_parses_with_the_real_cli(services: dict) -> None:
    """The worker/scheduler/dashboard arguments are accepted by the click commands themselves."""
    import click

    from tradewind.cli.main import cli

    for name in ("scheduler", "dashboard", "worker", "worker-high-cpu"):
        # compose substitutes ${VAR:-default}; the defaults are what runs without a .env
        args = [re.sub(r"\$\{[A-Z0-9_]+:-([^}]*)\}", r"\1", a) for a in services[name]["command"]]
        command = cli.get_command(click.Context(cli), args[0])
        assert command is not None, name
        command.make_context(args[0], args[1:])  # raises on an unknown option or bad value


def test_docker_compose_config_accepts_the_file_with_the_example_env(tmp_path: Path) -> None:
    import shutil
    import subprocess

    binary = shutil.which("docker-compose")
    if binary is None:
        pytest.skip("docker-compose is not installed (apt-get install docker-compose)")
    result = subprocess.run(
        [
            binary,
            "--env-file",
            str(COMPOSE / ".env.example"),
            "-f",
            str(COMPOSE / "docker-compose.yaml"),
            "config",
        ],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    assert "not set" not in result.stderr, result.stderr
    resolved = yaml.safe_load(result.stdout)["services"]
    for name in ("worker", "worker-high-cpu"):
        assert "container_name" not in resolved[name] and "ports" not in resolved[name]
    assert not re.search(r"(?<!\$)\$\{", result.stdout)  # all substituted ($$ is an escape)
