"""Ids that cannot be ours (NUL, control characters) are ``not_found`` on every lookup.

Before: PostgreSQL refused the NUL in the query parameter and callers got 503 ``db_error``
("retry"), on reads, cursors, cancel, proofs and public assets alike.
"""
from __future__ import annotations

import httpx
import pytest

from tests.conftest import auth

PATHS = [
    ("GET", "/v1/orders/ord_a%00b"), ("GET", "/v1/credits/topups/topup_a%00b"),
    ("GET", "/v1/orders?startingAfter=ord_a%00b"), ("GET", "/v1/credits/topups?startingAfter=topup_a%00b"),
    ("GET", "/v1/orders/ord_a%00b/proof"), ("POST", "/v1/orders/ord_a%00b/cancel"),
    ("GET", "/api/public-assets/asset_a%00b"), ("GET", "/v1/orders/ord_%1B%5B31m"),
]


@pytest.mark.parametrize(("method", "path"), PATHS)
async def test_impossible_ids_are_not_found(client: httpx.AsyncClient, account: dict[str, str],
                                            method: str, path: str) -> None:
    response = await client.request(method, path, headers=auth(account["test_key"]))
    assert response.status_code == 404, response.text
    assert response.json()["code"] == "not_found"
