import pytest

from broker_config.urls import mask_broker_url, parse_broker_url
from tradewind.errors import BrokerError


@pytest.mark.parametrize(
    ("url", "kind", "port"),
    [
        ("amqp://guest:guest@127.0.0.1:5672/", "rabbitmq", 5672),
        ("amqp://guest:guest@rabbit/", "rabbitmq", 5672),
        ("redis://127.0.0.1:6379/0", "redis", 6379),
        ("redis://:secret@cache/3", "redis", 6379),
        ("memory://", "memory", None),
    ],
)
def test_each_scheme_names_its_broker_kind(url: str, kind: str, port: int | None) -> None:
    parsed = parse_broker_url(url)
    assert parsed.kind == kind
    assert parsed.port == port


def test_the_password_is_masked_in_amqp_and_redis_urls() -> None:
    assert mask_broker_url("amqp://guest:hunter2@h:5672/") == "amqp://guest:***@h:5672/"
    assert mask_broker_url("redis://:hunter2@h:6379/0") == "redis://:***@h:6379/0"


@pytest.mark.parametrize(
    ("url", "words"),
    [
        ("", "empty"),
        ("localhost:5672", "no scheme"),
        ("kafka://u:hunter2@h:9092", "unknown scheme"),
        ("amqp://u:hunter2@:5672/", "no host"),
        ("redis://u:hunter2@h:6379/zero", "not a number"),
        ("amqp://u:hunter2@h:notaport/", "malformed"),
    ],
)
def test_a_bad_url_gives_one_line_without_the_password(url: str, words: str) -> None:
    with pytest.raises(BrokerError) as info:
        parse_broker_url(url)
    message = str(info.value)
    assert words in message
    assert "hunter2" not in message
    assert "\n" not in message
