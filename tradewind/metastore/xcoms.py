"""XComs: small values tasks hand to each other, stored as JSON in the metastore.

Values are JSON with tags for what JSON lacks (datetime, date, time, timedelta, Decimal, set,
frozenset, tuple, bytes), so a pulled value has the type that was pushed. A value larger than
the configured limit fails with :class:`XComTooLarge`, naming the size and the limit.
"""

from __future__ import annotations

import base64
import json
from collections.abc import Iterable
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from functools import lru_cache
from typing import Any

from sqlalchemy import Select, bindparam, delete, insert, select
from sqlalchemy.orm import Session

from tradewind.core.keys import TaskInstanceKey
from tradewind.errors import TaskFailure, XComTooLarge
from tradewind.metastore.engine import session_connection
from tradewind.metastore.models import DagRun, XCom, utcnow

RETURN_VALUE = "return_value"
_TAG = "__tw_type__"
_VALUE = "__tw_value__"


def serialize_value(value: Any) -> str:
    """The JSON text stored for ``value``; TaskFailure when it cannot be represented."""
    try:
        return json.dumps(_encode(value), separators=(",", ":"), allow_nan=True)
    except (TypeError, ValueError) as exc:
        raise TaskFailure(
            f"XCom value of type {type(value).__name__} cannot be stored: {exc}",
            hint="push JSON-compatible values (dict, list, str, numbers, dates)",
        ) from None


def deserialize_value(text: str | None) -> Any:
    """The value ``serialize_value`` stored, with its type restored."""
    if text is None:
        return None
    return json.loads(text, object_hook=_decode)


def push_xcom(
    session: Session,
    ti_key: TaskInstanceKey,
    key: str,
    value: Any,
    *,
    max_size: int,
) -> None:
    """Store ``value`` under ``key`` for one task instance, replacing an earlier value."""
    store_serialized(session, ti_key, key, serialize_checked(ti_key, key, value, max_size))


def serialize_checked(ti_key: TaskInstanceKey, key: str, value: Any, max_size: int) -> str:
    """The stored text of ``value``; XComTooLarge over ``max_size`` bytes (0: no limit)."""
    text = serialize_value(value)
    size = len(text.encode("utf-8"))
    if max_size and size > max_size:
        raise XComTooLarge(
            f"XCom {key!r} of {ti_key} is {size} bytes, over the limit of {max_size} bytes",
            hint="store large data elsewhere and push a reference to it, "
            "or raise TRADEWIND__CORE__XCOM_MAX_SIZE",
        )
    return text


def store_serialized(session: Session, ti_key: TaskInstanceKey, key: str, text: str) -> None:
    """Store already serialized (and checked) ``text`` under ``key``, replacing an earlier one."""
    replace_one, insert_one, _ = _statements()
    conn = session_connection(session)
    params = _key_params(ti_key)
    params["key"] = key
    conn.execute(replace_one, params)
    params.update(value=text, timestamp=utcnow())
    conn.execute(insert_one, params)


def pull_xcom(
    session: Session,
    dag_id: str,
    run_id: str,
    task_id: str,
    key: str = RETURN_VALUE,
    map_index: int | None = None,
) -> Any:
    """One task's XCom in one run.

    ``map_index=None``: when the task is mapped (it has values at map indexes >= 0), the list of
    its values ordered by map index; otherwise its single value. A given ``map_index``: that
    instance's value. Nothing stored: None.
    """
    query = select(XCom.map_index, XCom.value).where(
        XCom.dag_id == dag_id, XCom.run_id == run_id, XCom.task_id == task_id, XCom.key == key
    )
    if map_index is not None:
        text = session.execute(query.where(XCom.map_index == map_index)).first()
        return deserialize_value(text.value) if text else None
    rows = session.execute(query.order_by(XCom.map_index)).all()
    mapped = [r for r in rows if r.map_index >= 0]
    if mapped:
        return [deserialize_value(r.value) for r in mapped]
    return deserialize_value(rows[0].value) if rows else None


def pull_xcoms(
    session: Session,
    *,
    dag_id: str,
    run_id: str,
    task_ids: str | Iterable[str] | None,
    key: str | None = RETURN_VALUE,
    map_indexes: int | Iterable[int] | None = None,
    include_prior_dates: bool = False,
    as_of: datetime | None = None,
    default: Any = None,
) -> Any:
    """Airflow 2's ``ti.xcom_pull``: None for ``task_ids``, ``key`` or ``map_indexes`` means no
    filter on it.

    One task (``task_ids`` None or a str, ``map_indexes`` not a collection): the latest matching
    value, or the list of a mapped task's values ordered by map index; ``default`` when nothing
    matches. Otherwise a list of the values found (missing ones left out), ordered by the
    position of their task id in ``task_ids``, then of their map index in ``map_indexes``.
    ``include_prior_dates``: runs up to ``as_of`` (a logical date) count too, latest first.
    """
    if task_ids is not None and not isinstance(task_ids, str):
        task_ids = list(task_ids)  # read twice: to filter, then to order
    if isinstance(map_indexes, Iterable) and not isinstance(map_indexes, range):
        map_indexes = list(map_indexes)
    query = _matching(dag_id, run_id, task_ids, key, map_indexes, include_prior_dates, as_of)
    if (task_ids is None or isinstance(task_ids, str)) and not isinstance(map_indexes, Iterable):
        first = session.execute(query.limit(1)).first()
        if first is None:
            return default
        if map_indexes is not None or first.map_index < 0:
            return deserialize_value(first.value)
        # a mapped task: all its values in the run of the latest one, by map index
        in_run = query.where(XCom.run_id == first.run_id).order_by(None)
        rows = session.execute(in_run.order_by(XCom.map_index, XCom.task_id)).all()
        return [deserialize_value(r.value) for r in rows]
    rows = session.execute(query).all()
    task_rank = _ranks(None if isinstance(task_ids, str) else task_ids)
    index_rank = _ranks(map_indexes if isinstance(map_indexes, Iterable) else None)
    ordered = sorted(  # stable: the latest first among equals (include_prior_dates)
        rows,
        key=lambda r: (
            task_rank.get(r.task_id, 0),
            r.task_id,
            index_rank.get(r.map_index, 0),
            r.map_index,
        ),
    )
    return [deserialize_value(r.value) for r in ordered]


def _matching(
    dag_id: str,
    run_id: str,
    task_ids: str | Iterable[str] | None,
    key: str | None,
    map_indexes: int | Iterable[int] | None,
    include_prior_dates: bool,
    as_of: datetime | None,
) -> Select:
    """XComs matching the filters given (None: no filter), latest first."""
    query = select(XCom.run_id, XCom.task_id, XCom.map_index, XCom.value).where(
        XCom.dag_id == dag_id
    )
    if key:
        query = query.where(XCom.key == key)
    if isinstance(task_ids, str):
        query = query.where(XCom.task_id == task_ids)
    elif task_ids is not None:
        query = query.where(XCom.task_id.in_(list(task_ids)))
    if isinstance(map_indexes, range) and map_indexes.step == 1:
        query = query.where(XCom.map_index >= map_indexes.start, XCom.map_index < map_indexes.stop)
    elif isinstance(map_indexes, Iterable):
        query = query.where(XCom.map_index.in_(list(map_indexes)))
    elif map_indexes is not None:
        query = query.where(XCom.map_index == map_indexes)
    if not include_prior_dates:
        query = query.where(XCom.run_id == run_id)
        return query.order_by(XCom.timestamp.desc(), XCom.id.desc())
    query = query.join(DagRun, (DagRun.dag_id == XCom.dag_id) & (DagRun.run_id == XCom.run_id))
    if as_of is not None:
        query = query.where(DagRun.logical_date <= as_of)
    return query.order_by(DagRun.logical_date.desc(), XCom.timestamp.desc(), XCom.id.desc())


def _ranks(values: Iterable[Any] | None) -> dict[Any, int]:
    """Each value's position, its last one when repeated (as Airflow's ``CASE`` ordering);
    empty when there is no order to keep (then by task id, by map index)."""
    if values is None or (isinstance(values, range) and values.step > 0):
        return {}
    return {value: i for i, value in enumerate(values)}


def xcom_length(
    session: Session, dag_id: str, run_id: str, task_id: str, key: str = RETURN_VALUE
) -> int | None:
    """How many items a downstream task mapped over this XCom gets; None when nothing is stored.

    A mapped upstream counts its instances' values; an unmapped one the length of its list or
    dict. Anything else cannot be mapped over: TaskFailure naming the type.
    """
    value = pull_xcom(session, dag_id, run_id, task_id, key)
    if value is None:
        return None
    if isinstance(value, list | tuple | dict | set | frozenset):
        return len(value)
    raise TaskFailure(
        f"cannot map over the XCom {key!r} of {dag_id}.{task_id} in {run_id}: "
        f"it is a {type(value).__name__}, not a list or dict",
        hint="return a list (or dict) from the task that is expanded over",
    )


def delete_xcoms(session: Session, ti_key: TaskInstanceKey) -> int:
    """Remove every XCom of one task instance (before a new try runs); returns how many."""
    result = session_connection(session).execute(_statements()[2], _key_params(ti_key))
    return result.rowcount or 0


def _key_params(ti_key: TaskInstanceKey) -> dict[str, Any]:
    return {
        "dag_id": ti_key.dag_id,
        "run_id": ti_key.run_id,
        "task_id": ti_key.task_id,
        "map_index": ti_key.map_index,
    }


@lru_cache(maxsize=1)
def _statements() -> tuple[Any, Any, Any]:
    """Built once, reused (Core, bound parameters): delete one XCom, insert one, delete all of
    a task instance's."""
    table = XCom.__table__
    of_instance = (
        table.c.dag_id == bindparam("dag_id"),
        table.c.run_id == bindparam("run_id"),
        table.c.task_id == bindparam("task_id"),
        table.c.map_index == bindparam("map_index"),
    )
    delete_one = delete(table).where(*of_instance, table.c.key == bindparam("key"))
    return delete_one, insert(table).inline(), delete(table).where(*of_instance)


def _encode(value: Any) -> Any:
    if value is None or isinstance(value, bool | int | float | str):
        return value
    if isinstance(value, dict):
        if _TAG in value:
            return {_TAG: "dict", _VALUE: [[_encode(k), _encode(v)] for k, v in value.items()]}
        return {_key(k): _encode(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_encode(v) for v in value]
    if isinstance(value, tuple):
        return {_TAG: "tuple", _VALUE: [_encode(v) for v in value]}
    if isinstance(value, set | frozenset):
        kind = "set" if isinstance(value, set) else "frozenset"
        return {_TAG: kind, _VALUE: [_encode(v) for v in _sorted(value)]}
    if isinstance(value, datetime):
        return {_TAG: "datetime", _VALUE: value.isoformat()}
    if isinstance(value, date):
        return {_TAG: "date", _VALUE: value.isoformat()}
    if isinstance(value, time):
        return {_TAG: "time", _VALUE: value.isoformat()}
    if isinstance(value, timedelta):
        return {_TAG: "timedelta", _VALUE: value.total_seconds()}
    if isinstance(value, Decimal):
        return {_TAG: "decimal", _VALUE: str(value)}
    if isinstance(value, bytes):
        return {_TAG: "bytes", _VALUE: base64.b64encode(value).decode("ascii")}
    raise TypeError(f"{type(value).__name__} is not JSON serializable")


def _key(key: Any) -> str:
    if isinstance(key, str):
        return key
    if isinstance(key, bool | int | float) or key is None:
        return json.dumps(key)  # what json.dumps does with such keys
    raise TypeError(f"dict key of type {type(key).__name__} is not JSON serializable")


def _sorted(values: set | frozenset) -> list:
    try:
        return sorted(values)
    except TypeError:
        return list(values)


_DECODERS: dict[str, Any] = {
    "tuple": tuple,
    "set": set,
    "frozenset": frozenset,
    "datetime": datetime.fromisoformat,
    "date": date.fromisoformat,
    "time": time.fromisoformat,
    "timedelta": lambda seconds: timedelta(seconds=seconds),
    "decimal": Decimal,
    "bytes": lambda text: base64.b64decode(text),
    "dict": lambda pairs: {_hashable(k): v for k, v in pairs},
}


def _hashable(value: Any) -> Any:
    return tuple(value) if isinstance(value, list) else value


def _decode(obj: dict[str, Any]) -> Any:
    if len(obj) == 2 and _TAG in obj and _VALUE in obj:
        decoder = _DECODERS.get(obj[_TAG])
        if decoder is not None:
            return decoder(obj[_VALUE])
    return obj
