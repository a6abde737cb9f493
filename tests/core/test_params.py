"""validate_params: a run's conf checked against the DAG's params, errors naming the param."""

from __future__ import annotations

import pytest

from tradewind import Param
from tradewind.core.params import validate_params
from tradewind.errors import ParamValidationError

SPECS = {
    "n": {"default": 3, "schema": {"type": "integer", "minimum": 1}, "description": None},
    "mode": {"default": "fast", "schema": {"enum": ["fast", "slow"]}, "description": None},
}


def test_defaults_fill_params_missing_from_conf() -> None:
    assert validate_params(SPECS, None) == {"n": 3, "mode": "fast"}


def test_conf_overrides_defaults_and_extra_keys_are_kept() -> None:
    assert validate_params(SPECS, {"n": 5, "other": "x"}) == {"n": 5, "mode": "fast", "other": "x"}


@pytest.mark.parametrize(
    ("conf", "name"), [({"n": 0}, "n"), ({"n": "five"}, "n"), ({"mode": "medium"}, "mode")]
)
def test_an_invalid_value_is_refused_naming_the_param(conf: dict, name: str) -> None:
    with pytest.raises(ParamValidationError, match=f"'{name}'"):
        validate_params(SPECS, conf)


def test_a_required_param_without_default_must_be_in_conf() -> None:
    specs = {"who": {"schema": {"type": "string"}, "description": None}}
    with pytest.raises(ParamValidationError, match="'who'.*no value"):
        validate_params(specs, {})
    assert validate_params(specs, {"who": "me"}) == {"who": "me"}


def test_param_objects_and_plain_values_are_accepted() -> None:
    assert validate_params({"a": Param(1, type="integer"), "b": "x"}, {"a": 2}) == {
        "a": 2,
        "b": "x",
    }
    with pytest.raises(ParamValidationError, match="'a'"):
        validate_params({"a": Param(1, type="integer")}, {"a": "no"})


def test_conf_must_be_an_object() -> None:
    with pytest.raises(ParamValidationError, match="JSON object"):
        validate_params(SPECS, ["not", "a", "dict"])  # type: ignore[arg-type]
