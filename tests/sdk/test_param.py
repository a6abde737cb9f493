"""Param and ParamsDict, and Dataset identity."""

from __future__ import annotations

import pytest

from tradewind import Asset, Dataset, Param, ParamsDict
from tradewind.errors import DagDefinitionError, ParamValidationError


def test_param_resolves_its_default_or_a_given_value() -> None:
    p = Param(5, type="integer", minimum=1, description="how many")
    assert p.resolve(name="n") == 5
    assert p.resolve(7, name="n") == 7
    assert p.dump() == {
        "default": 5,
        "schema": {"type": "integer", "minimum": 1},
        "description": "how many",
    }


@pytest.mark.parametrize(
    ("param", "value"),
    [
        (Param(1, type="integer"), "x"),
        (Param(1, type="integer", minimum=1, maximum=3), 4),
        (Param("a", enum=["a", "b"]), "c"),
        (Param("a", type="string", pattern="^a+$"), "b"),
        (Param(None, type=["null", "string"]), 3),
    ],
)
def test_a_value_outside_the_schema_is_refused_naming_the_param(param: Param, value) -> None:
    with pytest.raises(ParamValidationError, match="'size'"):
        param.resolve(value, name="size")


def test_a_param_without_default_needs_a_value() -> None:
    with pytest.raises(ParamValidationError, match="no value"):
        Param(type="string").resolve(name="who")
    assert Param(type="string").resolve("x") == "x"
    assert "default" not in Param(type="string").dump()


def test_params_dict_gives_values_and_keeps_params() -> None:
    params = ParamsDict({"a": Param(1, type="integer"), "b": "plain"})
    assert params["a"] == 1 and params["b"] == "plain"
    params["a"] = 2
    assert params.get_param("a").schema == {"type": "integer"}
    assert dict(params) == {"a": 2, "b": "plain"}
    assert params.validate() == {"a": 2, "b": "plain"}


def test_datasets_are_equal_and_hash_by_uri() -> None:
    assert Dataset("s3://x", extra={"a": 1}) == Dataset("s3://x")
    assert len({Dataset("s3://x"), Dataset("s3://x"), Dataset("s3://y")}) == 2
    assert Asset is Dataset


@pytest.mark.parametrize("uri", ["", "  ", "airflow://x"])
def test_a_bad_dataset_uri_is_refused(uri: str) -> None:
    with pytest.raises(DagDefinitionError):
        Dataset(uri)
