"""Piece tracking's entry point: a piece moving to mailed / delivered records one ``piece.*``
event in the caller's transaction, delivered signed and in order; internal steps record none."""
from __future__ import annotations

import httpx

from domain.core.settings import Settings
from domain.events import piece_status_event
from domain.persistence.db import Database
from domain.webhooks.rounds import run_round
from tests.api.payloads import DIRECT_LETTER, fresh
from tests.conftest import auth
from tests.support.payments import fund, piece_ids
from tests.support.webhook_receiver import Receiver


async def test_piece_moves_become_piece_events_in_order(
        hook_client: httpx.AsyncClient, hook_settings: Settings, account: dict, db: Database,
        receiver: Receiver) -> None:
    key = auth(account["test_key"])
    endpoint = (await hook_client.post("/v1/webhook-endpoints", headers=key, json={
        "url": receiver.url, "enabledEvents": ["piece.mailed", "piece.delivered"]})).json()
    receiver.secrets[:] = [endpoint["secret"]]
    await fund(db, account["id"], "test", 10_000)
    order = (await hook_client.post("/v1/orders", json=fresh(DIRECT_LETTER), headers=key)).json()
    piece = (await piece_ids(db, order["orderId"]))[0]
    async with db.transaction() as session:
        for status in ("in_production", "mailed", "in_transit", "delivered"):
            await piece_status_event(session, order_id=order["orderId"], piece_id=piece, status=status,
                                     tracking={"carrier": "postnl"})
    await run_round(db, hook_settings, "w")
    got = receiver.ok()
    assert [r.body["type"] for r in got] == ["piece.mailed", "piece.delivered"]  # only the subscribed ones
    assert got[1].body["data"]["tracking"] == {"status": "delivered", "carrier": "postnl"}
    assert got[1].body["data"]["orderId"] == order["orderId"] and got[1].body["objectId"] == piece
    listed = (await hook_client.get("/v1/events", params={"objectId": piece}, headers=key)).json()
    assert [e["type"] for e in listed["data"]] == ["piece.delivered", "piece.in_transit", "piece.mailed"]
