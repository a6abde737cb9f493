"""Validating a run's conf against a DAG's params (pure; used by trigger and the runtime)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from tradewind.errors import ParamValidationError


def check_value(value: Any, schema: Mapping[str, Any], name: str = "") -> None:
    """Raise ParamValidationError (naming the param) unless ``value`` satisfies ``schema``."""
    if not schema:
        return
    import jsonschema  # lazy: keeps `import tradewind` light

    label = f"Param {name!r}" if name else "Param"
    try:
        jsonschema.validate(value, dict(schema), format_checker=jsonschema.FormatChecker())
    except jsonschema.ValidationError as exc:
        raise ParamValidationError(
            f"{label}: value {value!r} is not valid: {exc.message}",
            hint=f"the schema of {name or 'the param'} is {dict(schema)}",
        ) from None
    except jsonschema.SchemaError as exc:
        raise ParamValidationError(
            f"{label}: invalid schema {dict(schema)}: {exc.message}"
        ) from None


def validate_params(
    param_specs: Mapping[str, Any], conf: Mapping[str, Any] | None
) -> dict[str, Any]:
    """The run's params: each param's value from ``conf`` or its default, checked by its schema.

    ``param_specs`` is ``DagSpec.params`` (name -> {"default"?, "schema", "description"}); a
    ``Param`` (anything with ``dump()``) or a plain value is accepted too. Keys of ``conf``
    that are not params are kept, as Airflow merges the whole conf into params.
    """
    if conf is not None and not isinstance(conf, Mapping):
        raise ParamValidationError(
            f"The run's conf must be a JSON object, got {type(conf).__name__}",
            hint='pass --conf \'{"key": "value"}\'',
        )
    remaining = dict(conf or {})
    resolved: dict[str, Any] = {}
    for name, raw in param_specs.items():
        spec = _as_spec(raw)
        if name in remaining:
            value = remaining.pop(name)
        elif "default" in spec:
            value = spec["default"]
        else:
            raise ParamValidationError(
                f"Param {name!r} has no value and no default",
                hint=f"pass it in the run's conf, e.g. --conf '{{\"{name}\": ...}}'",
            )
        check_value(value, spec.get("schema") or {}, name)
        resolved[name] = value
    resolved.update(remaining)
    return resolved


def _as_spec(raw: Any) -> Mapping[str, Any]:
    if hasattr(raw, "dump") and callable(raw.dump):
        return raw.dump()
    if isinstance(raw, Mapping) and "schema" in raw:
        return raw
    return {"default": raw, "schema": {}}
