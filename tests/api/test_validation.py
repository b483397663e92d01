"""Bad input: each gets its code and a message naming the field; nothing is written; no 500."""
from __future__ import annotations

from typing import Any

import httpx
import pytest
from sqlalchemy import func, select

from domain.persistence.db import Database
from domain.persistence.models import Order
from tests.api.payloads import DIRECT_LETTER, NL_RECIPIENT, US_RECIPIENT, fresh
from tests.conftest import auth


def _letter(**recipient: Any) -> dict[str, Any]:
    body = fresh(DIRECT_LETTER)
    body["letters"][0]["recipient"] = recipient
    return body


def _many(n: int) -> dict[str, Any]:
    body = fresh(DIRECT_LETTER)
    body["letters"] = [body["letters"][0]] * n
    return body


def _mixed() -> dict[str, Any]:
    body = fresh(DIRECT_LETTER)
    body["letters"].append({"message": "Hallo", "recipient": NL_RECIPIENT})
    return body


def _template_missing() -> dict[str, Any]:
    return {"requestType": "letter", "composeMode": "template", "templateMessage": "Code {{gift_code}}",
            "letters": [{"recipient": {**US_RECIPIENT, "customFields": {"gift_code": "A"}}},
                        {"recipient": US_RECIPIENT}]}


def _postcard_both() -> dict[str, Any]:
    return {"requestType": "postcard", "postcard": {"message": "Hi", "recipient": US_RECIPIENT,
                                                    "recipients": [US_RECIPIENT]}}


def _metadata(meta: Any) -> dict[str, Any]:
    body = fresh(DIRECT_LETTER)
    body["metadata"] = meta
    return body


CASES = [
    ("missing name", _letter(**{k: v for k, v in US_RECIPIENT.items() if k != "name"}), "letters[0].recipient.name"),
    ("26 letters", _many(26), "letters"),
    ("US and NL mixed", _mixed(), "letters"),
    ("unfillable placeholder", _template_missing(), "gift_code"),
    ("postcard recipient and recipients", _postcard_both(), "recipient"),
    ("21 metadata keys", _metadata({f"k{i}": "v" for i in range(21)}), "metadata"),
    ("nested metadata", _metadata({"a": {"b": 1}}), "metadata.a"),
    ("unknown country", _letter(**{**US_RECIPIENT, "country": "Atlantis"}), "country"),
    ("wrong postal code", _letter(**{**NL_RECIPIENT, "postalCode": "ABCDE"}), "postalCode"),
]


@pytest.mark.parametrize(("name", "body", "field"), CASES, ids=[c[0] for c in CASES])
async def test_rejected_payloads_name_the_field(client: httpx.AsyncClient, account: dict, db: Database,
                                                name: str, body: dict, field: str) -> None:
    key = account["test_key"]
    await client.post("/v1/credits/topups", json={"amountCents": 10000}, headers=auth(key))
    response = await client.post("/v1/orders", json=body, headers=auth(key))
    assert response.status_code == 400, response.text
    data = response.json()
    assert data["code"] == "invalid_request"
    assert field in data["error"], data["error"]
    async with db.read() as session:
        count = await session.scalar(select(func.count()).select_from(Order).where(Order.account_id == account["id"]))
    assert count == 0


async def test_malformed_json(client: httpx.AsyncClient, account: dict) -> None:
    response = await client.post("/v1/orders", content=b'{"letters": [', headers=auth(account["test_key"],
                                                                                   **{"Content-Type": "application/json"}))
    assert response.status_code == 400 and response.json()["code"] == "invalid_json"


@pytest.mark.parametrize(("header", "code"), [
    (None, "missing_api_key"),
    ("Bearer pp_test_doesnotexist000000000000000000000000000", "invalid_api_key"),
    ("Bearer sk_live_something", "invalid_api_key"),
    ("Basic abc", "missing_api_key"),
])
async def test_bad_keys(client: httpx.AsyncClient, header: str | None, code: str) -> None:
    headers = {"Authorization": header} if header else {}
    response = await client.get("/v1/wallet", headers=headers)
    assert response.status_code == 401 and response.json()["code"] == code


async def test_revoked_key_is_inactive(client: httpx.AsyncClient, account: dict, db: Database) -> None:
    from domain.accounts.apikeys import create_key, revoke_key

    async with db.transaction() as session:
        created = await create_key(session, account["id"], "test", "to revoke")
        await revoke_key(session, account["id"], created.key.id)
    response = await client.get("/v1/wallet", headers=auth(created.secret))
    assert response.status_code == 401 and response.json()["code"] == "api_key_inactive"


async def test_live_key_on_test_only_account_reads_its_approval_status(client: httpx.AsyncClient,
                                                                        db: Database) -> None:
    from domain.accounts.accounts import create_account
    from domain.accounts.apikeys import create_key

    async with db.transaction() as session:
        acct = await create_account(session, "testonly-" + account_suffix() + "@example.com")
        live = await create_key(session, acct.id, "live", "live on pending account")
    response = await client.get("/v1/wallet", headers=auth(live.secret))
    assert response.status_code == 200, response.text
    body = response.json()
    assert (body["approvalStatus"], body["liveEnabled"], body["wallet"]["mode"]) == ("pending", False, "live")


def account_suffix() -> str:
    import uuid

    return uuid.uuid4().hex[:8]


ODD_BODIES = [
    {"letters": "not a list"},
    {"letters": [None]},
    {"letters": [{"recipient": ["a"]}]},
    {"letters": [{"recipient": {"name": 5}, "message": "x"}]},
    {"letters": [{"recipient": US_RECIPIENT, "message": 12}]},
    {"letters": [{"recipient": US_RECIPIENT, "message": "x", "attachments": "asset"}]},
    {"letters": [{"recipient": US_RECIPIENT, "message": "x"}], "metadata": []},
    {"letters": [{"recipient": US_RECIPIENT, "message": "x"}], "locale": "xx"},
    {"letters": [{"recipient": US_RECIPIENT, "message": "x"}], "senderEmail": "not-an-email"},
    {"letters": [{"recipient": US_RECIPIENT, "message": "x" * 6001}]},
    {"letters": [], "requestType": "letter"},
    {"postcard": "card"},
    {"postcard": {"recipient": US_RECIPIENT, "message": "y" * 1201}},
    {"requestType": "fax", "letters": [{"recipient": US_RECIPIENT, "message": "x"}]},
    {"letters": [{"recipient": US_RECIPIENT, "message": "x"}], "postcard": {"recipient": US_RECIPIENT}},
    {"letters": [{"recipient": US_RECIPIENT, "message": "x", "attachments": ["asset_missing"]}]},
    {"unknownField": True, "letters": [{"recipient": US_RECIPIENT, "message": "x"}]},
    {},
]


@pytest.mark.parametrize("body", ODD_BODIES, ids=[str(i) for i in range(len(ODD_BODIES))])
async def test_odd_bodies_are_client_errors_never_500(client: httpx.AsyncClient, account: dict, body: dict) -> None:
    response = await client.post("/v1/orders", json=body, headers=auth(account["test_key"]))
    assert response.status_code in (400, 404), response.text
    assert response.json()["code"] in ("invalid_request", "not_found")
    assert response.json()["error"]


@pytest.mark.parametrize("raw", [b"[]", b"null", b"\"text\"", b"\xff\xfe", b""])
async def test_non_object_json_bodies(client: httpx.AsyncClient, account: dict, raw: bytes) -> None:
    response = await client.post("/v1/credits/topups", content=raw, headers=auth(account["test_key"]))
    assert response.status_code == 400
    assert response.json()["code"] in ("invalid_json", "invalid_request")


@pytest.mark.parametrize("amount", [0, 499, 100_001, "500", None, True])
async def test_topup_amount_bounds(client: httpx.AsyncClient, account: dict, amount: object) -> None:
    response = await client.post("/v1/credits/topups", json={"amountCents": amount},
                                 headers=auth(account["test_key"]))
    assert response.status_code == 400 and "amountCents" in response.json()["error"]


async def test_topup_rounds_up_to_whole_units(client: httpx.AsyncClient, account: dict) -> None:
    response = await client.post("/v1/credits/topups", json={"amountCents": 1234},
                                 headers=auth(account["test_key"]))
    assert response.status_code == 200 and response.json()["amountCents"] == 1300


@pytest.mark.parametrize("path", ["/v1/orders?stauts=paid", "/v1/credits/topups?status=bogus"])
async def test_unknown_list_filters_are_refused(client: httpx.AsyncClient, account: dict, path: str) -> None:
    response = await client.get(path, headers=auth(account["test_key"]))
    assert response.status_code == 400 and response.json()["code"] == "invalid_request"
    assert path.split("?")[1].split("=")[0] in response.json()["error"]
