"""Live gating (docs/product.md § Accounts and approval, § Test and live mode): live keys need ``liveEnabled``, live
direct send needs ``approvedForDirectSend``, and accounts awaiting approval have a live-order
cap (``live_order_cap_reached``). Test mode never needs approval."""
from __future__ import annotations

import uuid

import httpx

from domain.use_cases import commands
from domain.accounts.accounts import create_account
from domain.accounts.apikeys import create_key
from domain.core.context import Caller
from domain.persistence.db import Database
from domain.core.errors import DomainError, ErrorCode
from domain.core.settings import Settings
from tests.api.payloads import CHECKOUT_LETTER, DIRECT_LETTER, fresh
from tests.conftest import auth
from tests.support.payments import (  # noqa: F401 - fixtures
    fund, live_app, live_client, live_settings, partner_server, stripe_server,
)


async def _pending_account(db: Database, *, live: bool) -> tuple[str, str, str]:
    async with db.transaction() as session:
        account = await create_account(session, f"pending-{uuid.uuid4().hex[:10]}@example.com")
        account.live_enabled = live
        test_key = (await create_key(session, account.id, "test", "t")).secret
        live_key = (await create_key(session, account.id, "live", "l")).secret
    return account.id, test_key, live_key


async def test_live_key_of_pending_account_reads_but_cannot_send(live_client: httpx.AsyncClient,
                                                                  db: Database) -> None:
    _, test_key, live_key = await _pending_account(db, live=False)
    wallet = await live_client.get("/v1/wallet", headers=auth(live_key))
    assert wallet.status_code == 200 and wallet.json()["approvalStatus"] == "pending"
    listed = await live_client.get("/v1/orders", headers=auth(live_key))
    assert listed.status_code == 200 and listed.json()["data"] == []
    refused = await live_client.post("/v1/orders", json=fresh(DIRECT_LETTER), headers=auth(live_key))
    assert refused.status_code == 429 and refused.json()["code"] == "live_order_cap_reached"  # default cap: 0
    await live_client.post("/v1/credits/topups", json={"amountCents": 500}, headers=auth(test_key))
    direct = await live_client.post("/v1/orders", json=fresh(DIRECT_LETTER), headers=auth(test_key))
    assert direct.status_code == 200 and direct.json()["status"] == "fulfilled"  # test mode: no approval needed


async def test_live_direct_send_needs_approval(db: Database, live_settings: Settings) -> None:
    account_id, _, _ = await _pending_account(db, live=True)
    await fund(db, account_id, "live", 1_000)
    settings = live_settings.model_copy(update={"live_order_cap_unapproved": 5})  # under the cap: the switch answers
    try:
        await commands.create_direct_order(db, settings, Caller(account_id=account_id, mode="live"),
                                           fresh(DIRECT_LETTER))
    except DomainError as exc:
        assert exc.code == ErrorCode.FORBIDDEN and exc.status == 403
    else:
        raise AssertionError("a live direct send of an account not approved for direct send must be refused")


async def test_unapproved_accounts_hit_the_live_order_cap(live_client: httpx.AsyncClient, db: Database,
                                                          live_settings: Settings) -> None:
    account_id, _, live_key = await _pending_account(db, live=True)
    capped = await live_client.post("/v1/checkout-links", json=fresh(CHECKOUT_LETTER), headers=auth(live_key))
    assert capped.status_code == 429 and capped.json()["code"] == "live_order_cap_reached"  # default cap: 0
    settings = live_settings.model_copy(update={"live_order_cap_unapproved": 2})
    caller = Caller(account_id=account_id, mode="live")
    for _ in range(2):
        created = await commands.create_checkout_order(db, settings, caller, fresh(CHECKOUT_LETTER))
        assert created.body["status"] == "checkout_open"
    try:
        await commands.create_checkout_order(db, settings, caller, fresh(CHECKOUT_LETTER))
    except DomainError as exc:
        assert exc.code == ErrorCode.LIVE_ORDER_CAP_REACHED and exc.status == 429
    else:
        raise AssertionError("the third live order of an unapproved account must be refused")
