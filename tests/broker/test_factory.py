import pytest
from dramatiq.brokers.rabbitmq import RabbitmqBroker
from dramatiq.brokers.redis import RedisBroker
from dramatiq.brokers.stub import StubBroker

from broker_config.factory import build_broker
from tradewind.errors import BrokerError


def test_an_amqp_url_builds_a_rabbitmq_broker_without_dramatiq_default_middleware() -> None:
    broker = build_broker("amqp://guest:guest@127.0.0.1:5672/")
    try:
        assert isinstance(broker, RabbitmqBroker)
        assert broker.middleware == []
    finally:
        broker.close()


def test_a_redis_url_builds_a_redis_broker() -> None:
    broker = build_broker("redis://127.0.0.1:6379/0", namespace="twtest")
    assert isinstance(broker, RedisBroker)
    assert broker.namespace == "twtest"


def test_a_memory_url_builds_an_in_process_broker() -> None:
    assert isinstance(build_broker("memory://"), StubBroker)


def test_two_builds_give_two_brokers_and_nothing_global() -> None:
    import dramatiq

    first, second = build_broker("memory://"), build_broker("memory://")
    assert first is not second
    assert dramatiq.broker.global_broker is None


@pytest.mark.parametrize(
    ("url", "words"),
    [
        ("amqp://guest:hunter2@127.0.0.1:1/", "cannot reach RabbitMQ at amqp://guest:***@"),
        ("redis://:hunter2@127.0.0.1:1/0", "cannot reach Redis at redis://:***@127.0.0.1:1/0"),
        ("amqp://guest:hunter2@127.0.0.1:5672/", "refused the login"),
        ("amqp://guest:guest@127.0.0.1:5672/no_such_vhost", "denied access"),
    ],
)
def test_an_unreachable_or_refusing_broker_gives_one_masked_line(url: str, words: str) -> None:
    with pytest.raises(BrokerError) as info:
        build_broker(url)
    message = str(info.value)
    assert words in message
    assert "hunter2" not in message
    assert "tried" in message or "refused" in message
    assert "\n" not in message


def test_the_cli_error_boundary_shows_the_broker_error_as_one_line(capsys) -> None:
    import click

    from tradewind.cli.errors import run_with_error_boundary

    @click.group()
    def cli() -> None:
        pass

    @cli.command()
    def go() -> None:
        build_broker("amqp://guest:hunter2@127.0.0.1:1/")

    assert run_with_error_boundary(cli, ["go"]) == 1
    err = capsys.readouterr().err
    assert err.startswith("Error: cannot reach RabbitMQ at amqp://guest:***@127.0.0.1:1/")
    assert "Traceback" not in err and "hunter2" not in err
