"""XComs in the metastore: tagged JSON, the size limit, mapped pulls (tradewind.metastore.xcoms)."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal

import pytest

from tradewind.core.keys import TaskInstanceKey
from tradewind.errors import TaskFailure, XComTooLarge
from tradewind.metastore import xcoms
from tradewind.metastore.engine import Metastore

KEY = TaskInstanceKey("dag", "run", "extract")
LIMIT = 1_048_576


def push(metastore: Metastore, value: object, key: str = "return_value", ti=KEY) -> None:
    with metastore.session() as session:
        xcoms.push_xcom(session, ti, key, value, max_size=LIMIT)


def pull(metastore: Metastore, task_id: str = "extract", **kwargs: object) -> object:
    with metastore.session() as session:
        return xcoms.pull_xcom(session, "dag", "run", task_id, **kwargs)  # type: ignore[arg-type]


def test_values_come_back_with_the_types_they_were_pushed_with(metastore: Metastore) -> None:
    value = {
        "when": datetime(2024, 1, 2, 3, 4, 5, tzinfo=UTC),
        "day": date(2024, 1, 2),
        "at": time(6, 7),
        "wait": timedelta(minutes=90),
        "price": Decimal("10.25"),
        "pair": (1, "two"),
        "tags": {"b", "a"},
        "frozen": frozenset({3}),
        "raw": b"\x00\xff",
        "nested": [{"t": (datetime(2024, 1, 1, tzinfo=UTC),)}],
        "plain": [1, 2.5, None, True, "x"],
    }
    push(metastore, value)
    assert pull(metastore) == value
    assert isinstance(pull(metastore)["pair"], tuple)  # type: ignore[index]


def test_a_dict_that_looks_like_a_tag_survives(metastore: Metastore) -> None:
    tricky = {"__tw_type__": "tuple", "__tw_value__": [1]}
    push(metastore, tricky)
    assert pull(metastore) == tricky


def test_pushing_again_replaces_the_value(metastore: Metastore) -> None:
    push(metastore, 1, key="k")
    push(metastore, 2, key="k")
    assert pull(metastore, key="k") == 2


def test_a_value_over_the_limit_fails_naming_its_size_and_the_limit(metastore: Metastore) -> None:
    with pytest.raises(XComTooLarge, match=r"is 1002 bytes, over the limit of 1000 bytes"):
        with metastore.session() as session:
            xcoms.push_xcom(session, KEY, "big", "x" * 1000, max_size=1000)
    assert pull(metastore, key="big") is None


def test_a_value_json_cannot_hold_fails_naming_its_type(metastore: Metastore) -> None:
    with pytest.raises(TaskFailure, match="object"), metastore.session() as session:
        xcoms.push_xcom(session, KEY, "k", object(), max_size=LIMIT)


def test_pulling_a_mapped_task_gives_the_values_in_map_index_order(metastore: Metastore) -> None:
    for index in (2, 0, 1):
        push(metastore, index * 10, ti=TaskInstanceKey("dag", "run", "m", index))
    assert pull(metastore, "m") == [0, 10, 20]
    assert pull(metastore, "m", map_index=2) == 20
    with metastore.session() as session:
        assert xcoms.xcom_length(session, "dag", "run", "m") == 3


def test_pulling_nothing_gives_none(metastore: Metastore) -> None:
    assert pull(metastore, "missing") is None
    with metastore.session() as session:
        assert xcoms.xcom_length(session, "dag", "run", "missing") is None


def test_the_length_of_an_unmapped_list_and_refusal_of_scalars(metastore: Metastore) -> None:
    push(metastore, ["a", "b"])
    push(metastore, 5, key="n")
    with metastore.session() as session:
        assert xcoms.xcom_length(session, "dag", "run", "extract") == 2
        with pytest.raises(TaskFailure, match="cannot map over"):
            xcoms.xcom_length(session, "dag", "run", "extract", key="n")


def test_deleting_a_task_instances_xcoms_leaves_others(metastore: Metastore) -> None:
    other = TaskInstanceKey("dag", "run", "other")
    push(metastore, 1)
    push(metastore, 2, key="second")
    push(metastore, 3, ti=other)
    with metastore.session() as session:
        assert xcoms.delete_xcoms(session, KEY) == 2
    assert pull(metastore) is None
    assert pull(metastore, "other") == 3
