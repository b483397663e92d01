"""Hostile JSON bodies: deep nesting, huge numbers, NUL and lone surrogates.

Each gets a 400 with its code (never a 500 or a database error), on SQLite and PostgreSQL.
"""
from __future__ import annotations

import json

import httpx
import pytest

from tests.api.payloads import DIRECT_LETTER, TOPUP, fresh
from tests.conftest import auth


async def _post(client: httpx.AsyncClient, key: str, path: str, raw: str) -> httpx.Response:
    return await client.post(path, content=raw.encode("utf-8", "surrogatepass"),
                             headers=auth(key, **{"Content-Type": "application/json"}))


@pytest.mark.parametrize("raw", ['{"a":' * 50_000 + "1" + "}" * 50_000, "[" * 50_000 + "]" * 50_000])
async def test_deeply_nested_json_is_invalid_json(client: httpx.AsyncClient, account: dict[str, str], raw: str) -> None:
    response = await _post(client, account["test_key"], "/v1/orders", raw)
    assert response.status_code == 400, response.text
    assert response.json()["code"] == "invalid_json"


async def test_huge_integer_amount_names_the_field(client: httpx.AsyncClient, account: dict[str, str]) -> None:
    raw = '{"amountCents": ' + "9" * 4000 + ', "currency": "eur"}'
    response = await _post(client, account["test_key"], "/v1/credits/topups", raw)
    assert response.status_code == 400, response.text
    assert response.json()["code"] == "invalid_request"
    assert "amountCents" in response.json()["error"]


@pytest.mark.parametrize("bad", ["\\u0000", "\\ud800"])
async def test_unstorable_text_in_a_recipient_is_refused_by_path(
        client: httpx.AsyncClient, account: dict[str, str], bad: str) -> None:
    await client.post("/v1/credits/topups", json=TOPUP, headers=auth(account["test_key"]))
    body = fresh(DIRECT_LETTER)
    body["letters"][0]["recipient"]["name"] = "PLACEHOLDER"
    raw = json.dumps(body).replace("PLACEHOLDER", f"Pieter{bad}Post")
    response = await _post(client, account["test_key"], "/v1/orders", raw)
    assert response.status_code == 400, response.text
    assert response.json()["code"] == "invalid_request"
    assert "letters[0].recipient.name" in response.json()["error"]


@pytest.mark.parametrize("bad", ["\\u0000", "\\ud800"])
async def test_unstorable_text_in_metadata_is_refused_by_path(
        client: httpx.AsyncClient, account: dict[str, str], bad: str) -> None:
    body = fresh(TOPUP)
    body["metadata"] = {"source": "PLACEHOLDER"}
    raw = json.dumps(body).replace("PLACEHOLDER", f"x{bad}y")
    response = await _post(client, account["test_key"], "/v1/credits/topups", raw)
    assert response.status_code == 400, response.text
    assert response.json()["code"] == "invalid_request"
    assert "metadata.source" in response.json()["error"]


async def test_nul_in_external_id_is_refused_by_path(client: httpx.AsyncClient, account: dict[str, str]) -> None:
    await client.post("/v1/credits/topups", json=TOPUP, headers=auth(account["test_key"]))
    body = fresh(DIRECT_LETTER)
    body["externalId"] = "PLACEHOLDER"
    raw = json.dumps(body).replace("PLACEHOLDER", "inv\\u0000oice")
    response = await _post(client, account["test_key"], "/v1/orders", raw)
    assert response.status_code == 400, response.text
    assert "externalId" in response.json()["error"]


@pytest.mark.parametrize("constant", ["NaN", "Infinity", "-Infinity"])
async def test_non_json_number_constants_are_invalid_json(
        client: httpx.AsyncClient, account: dict[str, str], constant: str) -> None:
    raw = '{"amountCents": 2500, "currency": "eur", "metadata": {"a": ' + constant + "}}"
    response = await _post(client, account["test_key"], "/v1/credits/topups", raw)
    assert response.status_code == 400, response.text
    assert response.json()["code"] == "invalid_json"
