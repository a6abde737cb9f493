"""``Param``: a DAG (or task) parameter with a default and a JSON schema, as in Airflow."""

from __future__ import annotations

import copy
from collections.abc import Iterator, Mapping, MutableMapping
from typing import Any

from tradewind.errors import ParamValidationError


class _NotSet:
    """Marks a Param without a default."""

    _instance: _NotSet | None = None

    def __new__(cls) -> _NotSet:
        if cls._instance is None:
            cls._instance = super().__new__(cls)
        return cls._instance

    def __repr__(self) -> str:
        return "NOTSET"

    def __bool__(self) -> bool:
        return False


NOTSET: Any = _NotSet()


class Param:
    """A parameter: ``Param(5, type="integer", minimum=0, description="...")``.

    Keyword arguments other than ``description`` are JSON-schema keywords (``type``, ``enum``,
    ``minimum``, ``maximum``, ``pattern``, ``format``, ``items``...).
    """

    def __init__(self, default: Any = NOTSET, description: str | None = None, **schema: Any):
        self.value = default
        self.description = description
        self.schema = schema

    @property
    def has_value(self) -> bool:
        return self.value is not NOTSET

    def resolve(self, value: Any = NOTSET, *, name: str = "", suppress_exception: bool = False):
        """Return ``value`` (or the default) after checking it against the schema."""
        final = self.value if value is NOTSET else value
        label = f"Param {name!r}" if name else "Param"
        if final is NOTSET:
            if suppress_exception:
                return None
            raise ParamValidationError(
                f"{label} has no value and no default",
                hint=f"pass it in the run's conf, e.g. --conf '{{\"{name or 'name'}\": ...}}'",
            )
        try:
            _validate_named(final, self.schema, name)
        except ParamValidationError:
            if suppress_exception:
                return None
            raise
        return final

    def dump(self) -> dict[str, Any]:
        """The plain-data form stored in the DAG spec."""
        out: dict[str, Any] = {"schema": dict(self.schema), "description": self.description}
        if self.has_value:
            out["default"] = self.value
        return out

    def __copy__(self) -> Param:
        return Param(self.value, self.description, **self.schema)

    def __repr__(self) -> str:
        return f"Param({self.value!r}, schema={self.schema!r})"


def _validate_named(value: Any, schema: dict[str, Any], name: str) -> None:
    from tradewind.core.params import check_value

    check_value(value, schema, name)


class ParamsDict(MutableMapping[str, Any]):
    """Mapping of name -> Param; reading an item gives the Param's value, as in Airflow."""

    def __init__(self, params: Mapping[str, Any] | None = None) -> None:
        self._params: dict[str, Param] = {}
        for key, value in (params or {}).items():
            self[key] = value

    def __setitem__(self, key: str, value: Any) -> None:
        if isinstance(value, Param):
            self._params[key] = value
        elif key in self._params:
            self._params[key].value = value
        else:
            self._params[key] = Param(value)

    def __getitem__(self, key: str) -> Any:
        return self._params[key].value

    def __delitem__(self, key: str) -> None:
        del self._params[key]

    def __iter__(self) -> Iterator[str]:
        return iter(self._params)

    def __len__(self) -> int:
        return len(self._params)

    def __repr__(self) -> str:
        return f"ParamsDict({self._params!r})"

    def get_param(self, key: str) -> Param:
        return self._params[key]

    def params(self) -> dict[str, Param]:
        return dict(self._params)

    def copy(self) -> ParamsDict:
        return ParamsDict({k: copy.copy(p) for k, p in self._params.items()})

    def update(self, other: Any = (), /, **kwargs: Any) -> None:  # type: ignore[override]
        if isinstance(other, ParamsDict):
            other = other.params()
        for key, value in dict(other, **kwargs).items():
            self[key] = copy.copy(value) if isinstance(value, Param) else value

    def dump(self) -> dict[str, dict[str, Any]]:
        return {k: p.dump() for k, p in self._params.items()}

    def validate(self) -> dict[str, Any]:
        """Resolve every param with a default; return name -> value."""
        return {k: p.resolve(name=k) for k, p in self._params.items() if p.has_value}


class DagParam:
    """A reference to a DAG param (what ``@dag`` functions receive), resolved at run time."""

    def __init__(self, current_dag: Any, name: str, default: Any = NOTSET) -> None:
        if default is not NOTSET:
            current_dag.params[name] = default
        self._name = name
        self._default = default

    def resolve(self, context: dict[str, Any]) -> Any:
        params = context.get("params") or {}
        if self._name in params:
            return params[self._name]
        conf = getattr(context.get("dag_run"), "conf", None) or {}
        if self._name in conf:
            return conf[self._name]
        if self._default is not NOTSET:
            return self._default.value if isinstance(self._default, Param) else self._default
        raise ParamValidationError(f"No value could be resolved for parameter {self._name!r}")

    def __repr__(self) -> str:
        return f"DagParam({self._name!r})"
