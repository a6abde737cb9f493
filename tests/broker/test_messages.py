import pytest

from broker_config.messages import (
    MESSAGE_VERSION,
    InvalidTaskMessage,
    decode_task_message,
    encode_task_message,
)
from tradewind.core.keys import TryKey

KEY = TryKey("etl", "manual__2024-01-01T00:00:00+00:00", "load", -1, 2)


def test_a_message_carries_the_try_key_and_version_and_nothing_else() -> None:
    payload = encode_task_message(KEY)
    assert payload == {
        "v": MESSAGE_VERSION,
        "dag_id": "etl",
        "run_id": "manual__2024-01-01T00:00:00+00:00",
        "task_id": "load",
        "map_index": -1,
        "try_number": 2,
    }
    assert decode_task_message(payload) == KEY


@pytest.mark.parametrize(
    ("change", "words"),
    [
        ({"v": 2}, "version 2"),
        ({"v": None}, "version None"),
        ({"queue": "default"}, "extra: queue"),
        ({"try_number": "2"}, "not a int"),
        ({"try_number": 0}, "below 1"),
        ({"map_index": True}, "not a int"),
        ({"dag_id": ""}, "empty"),
    ],
)
def test_a_message_off_the_schema_is_refused(change: dict, words: str) -> None:
    payload = {**encode_task_message(KEY), **change}
    with pytest.raises(InvalidTaskMessage, match=words):
        decode_task_message(payload)


def test_a_message_missing_a_field_is_refused() -> None:
    payload = encode_task_message(KEY)
    del payload["run_id"]
    with pytest.raises(InvalidTaskMessage, match="missing: run_id"):
        decode_task_message(payload)
