"""tools/validation.py decides validity with jsonschema_rs and explains refusals with jsonschema.

The fast engine decides every call, so it must agree with the explaining one: a document the
fast one accepts and jsonschema refuses would slip through unchecked. These tests feed both
engines, for every tool's input and output schema, documents built from each property with
values of every JSON type, nested one level down, and compare the verdicts.
"""
from __future__ import annotations

from typing import Any

import pytest

from domain.core.errors import InvalidRequest
from tools.registry import registry
from tools.validation import ArgumentValidator

SAMPLES: tuple[Any, ...] = ("x", "", "test", "live", "eur", 0, -1, 1, 2**40, 1.5, True, False, None, [], ["x"], {},
                            {"x": 1})


def _documents(schema: dict[str, Any], depth: int = 0) -> list[Any]:
    docs: list[Any] = [{}, {"unexpected": 1}, [], "x", None]
    for name, sub in (schema.get("properties") or {}).items():
        for value in SAMPLES:
            docs.append({name: value})
        if depth == 0 and isinstance(sub, dict):
            for inner in _documents(sub, depth + 1)[:40]:
                docs.append({name: inner})
                docs.append({name: [inner]})
    return docs


def _validators() -> list[tuple[str, ArgumentValidator, dict[str, Any]]]:
    out = []
    for name, tool in registry().items():
        out.append((f"{name}:input", tool.arguments, tool.arguments._validator.schema))
        out.append((f"{name}:output", tool.output, tool.output._validator.schema))
    return out


@pytest.mark.parametrize(("label", "validator", "schema"), _validators(), ids=lambda v: v if isinstance(v, str) else "")
def test_fast_and_explaining_engines_agree(label: str, validator: ArgumentValidator, schema: dict[str, Any]) -> None:
    disagreements = [doc for doc in _documents(schema)
                     if validator.is_valid(doc) != validator._validator.is_valid(doc)]
    assert disagreements == [], f"{label}: engines disagree on {disagreements[:3]}"


def test_a_refused_argument_is_explained_with_its_field() -> None:
    validator = registry()["get_wallet"].arguments
    assert validator.is_valid({"mode": "test"})
    assert not validator.is_valid({"mode": 5})
    with pytest.raises(InvalidRequest) as refused:
        validator.check({"mode": 5})
    assert refused.value.field == "mode"


def test_an_integer_beyond_64_bits_is_still_an_integer() -> None:
    validator = ArgumentValidator({"type": "object", "properties": {"n": {"type": "integer"}}})
    assert validator.is_valid({"n": 10**30})
    assert validator._validator.is_valid({"n": 10**30})
    assert not validator.is_valid({"n": "ten"})
