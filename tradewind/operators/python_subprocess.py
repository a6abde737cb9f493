"""Running a Python callable's source in another interpreter: the script and its context.

The callable's source (decorators stripped) is written into a script with a small driver that
loads the arguments with the serializer, calls the function and dumps its return value; the
operators run it with ``tradewind.operators.process_group``.
"""

from __future__ import annotations

import ast
import inspect
import textwrap
from collections.abc import Callable
from datetime import UTC, datetime
from types import SimpleNamespace
from typing import Any

from tradewind.errors import DagDefinitionError

__all__ = [
    "SERIALIZABLE_CONTEXT_KEYS",
    "SERIALIZERS",
    "callable_source",
    "render_script",
    "serializable_context",
]

SERIALIZERS = ("pickle", "cloudpickle", "dill")

#: Context keys passed to a callable that names them (or takes ``**kwargs``). Dates are plain
#: ``datetime`` objects in UTC; ``dag_run`` is a ``SimpleNamespace`` (run_id, conf,
#: logical_date, run_type, data_interval_start, data_interval_end).
SERIALIZABLE_CONTEXT_KEYS = frozenset(
    {
        "dag_run",
        "data_interval_end",
        "data_interval_start",
        "ds",
        "ds_nodash",
        "execution_date",
        "logical_date",
        "map_index",
        "next_ds",
        "next_ds_nodash",
        "next_execution_date",
        "params",
        "prev_ds",
        "prev_ds_nodash",
        "prev_execution_date",
        "run_id",
        "task_instance_key_str",
        "test_mode",
        "tomorrow_ds",
        "tomorrow_ds_nodash",
        "try_number",
        "ts",
        "ts_nodash",
        "ts_nodash_with_tz",
        "yesterday_ds",
        "yesterday_ds_nodash",
    }
)

_SCRIPT = """\
from __future__ import annotations

import sys
import {serializer}

{source}

with open(sys.argv[1], "rb") as _tw_file:
    _tw_arguments = {serializer}.load(_tw_file)
with open(sys.argv[3], encoding="utf-8") as _tw_file:
    virtualenv_string_args = [_tw_line.strip() for _tw_line in _tw_file]
_tw_result = {name}(*_tw_arguments["args"], **_tw_arguments["kwargs"])
with open(sys.argv[2], "wb") as _tw_file:
    if _tw_result is not None:
        {serializer}.dump(_tw_result, _tw_file)
"""


def callable_source(function: Callable[..., Any], where: str) -> str:
    """The function's ``def`` (dedented, without its decorators): it must be self-contained."""
    name = getattr(function, "__name__", "")
    if not inspect.isfunction(function) or name == "<lambda>":
        raise DagDefinitionError(
            f"{where}: only functions are supported for python_callable, got {function!r}"
        )
    try:
        source = textwrap.dedent(inspect.getsource(function))
    except (OSError, TypeError) as exc:
        raise DagDefinitionError(f"{where}: cannot read the source of {name}: {exc}") from None
    tree = ast.parse(source)
    node = tree.body[0]
    if not isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
        raise DagDefinitionError(f"{where}: {name} is not a plain function definition")
    lines = source.splitlines()
    return "\n".join(lines[node.lineno - 1 :]) + "\n"  # lineno is the `def` line's


def render_script(source: str, name: str, serializer: str) -> str:
    """The script run in the other interpreter: argv is input, output and string_args files."""
    return _SCRIPT.format(source=source, name=name, serializer=serializer)


def _plain_date(value: Any) -> Any:
    if isinstance(value, datetime):
        if value.tzinfo is not None:
            value = value.astimezone(UTC)
        return datetime.fromisoformat(value.isoformat())  # drop any datetime subclass
    return value


def serializable_context(context: Any) -> dict[str, Any]:
    """The part of the context that crosses to the other interpreter (see the key list)."""
    out: dict[str, Any] = {}
    for key in SERIALIZABLE_CONTEXT_KEYS - {"dag_run", "params"}:
        if key in context:
            out[key] = _plain_date(context[key])
    if "params" in context:
        out["params"] = dict(context["params"] or {})
    run = context.get("dag_run")
    if run is not None:
        out["dag_run"] = SimpleNamespace(
            run_id=getattr(run, "run_id", None),
            conf=dict(getattr(run, "conf", None) or {}),
            run_type=str(getattr(run, "run_type", "") or ""),
            logical_date=_plain_date(getattr(run, "logical_date", None)),
            data_interval_start=_plain_date(getattr(run, "data_interval_start", None)),
            data_interval_end=_plain_date(getattr(run, "data_interval_end", None)),
        )
    return out
