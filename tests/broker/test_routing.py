import pytest

from broker_config.messages import ACTOR_NAME, decode_task_message
from broker_config.routing import Router, parse_queue_list, validate_queue_name
from tradewind.core.keys import TryKey
from tradewind.errors import BrokerError

KEY = TryKey("etl", "r1", "t", 3, 1)


def test_a_task_without_a_queue_goes_to_the_default_queue_behind_the_prefix() -> None:
    router = Router(default_queue="main", prefix="fleet1.")
    assert router.broker_queue(None) == "fleet1.main"
    assert router.broker_queue("high_cpu") == "fleet1.high_cpu"
    assert router.task_queue_of("fleet1.high_cpu") == "high_cpu"


def test_a_message_is_addressed_to_the_one_actor_on_the_task_queue() -> None:
    message = Router().message(KEY, "spark")
    assert message.queue_name == "spark"
    assert message.actor_name == ACTOR_NAME
    assert message.args == ()
    assert decode_task_message(message.kwargs) == KEY


@pytest.mark.parametrize("name", ["", "a b", "x.XQ", "x.DQ", "amq.foo", "q" * 201])
def test_unusable_queue_names_are_refused(name: str) -> None:
    with pytest.raises(BrokerError):
        validate_queue_name(name)


def test_a_queue_list_keeps_order_and_drops_duplicates() -> None:
    assert parse_queue_list(" high_cpu, default,high_cpu ") == ["high_cpu", "default"]
