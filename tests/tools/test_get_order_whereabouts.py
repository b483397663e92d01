"""MCP ``get_order`` keeps its closed output schema and says in its text where each piece is."""
from __future__ import annotations

import json
from datetime import UTC, datetime

from sqlalchemy import select

from domain.adapters.mail_provider import ProviderEvent
from domain.fulfillment import tracking
from domain.persistence.db import Database
from domain.persistence.mail_models import PieceTracking
from schemas import load_tools
from tests.tools.conftest import ToolRunner

POSTCARD = {"requestType": "postcard", "postcard": {"message": "Hallo!", "recipient": {
    "name": "Bart de Vries", "streetAddress": "Keizersgracht 1", "postalCode": "1012 AB", "city": "Amsterdam",
    "country": "NL"}}}


async def test_get_order_text_says_where_each_piece_is(tools: ToolRunner, db: Database) -> None:
    await tools.ok("create_credit_topup", {"amountCents": 1000, "currency": "eur", "idempotencyKey": "w-1"})
    order = await tools.ok("create_direct_order", {**POSTCARD, "idempotencyKey": "w-2"})
    raw = await tools.raw("get_order", {"orderId": order["orderId"]})
    schema = next(t for t in load_tools() if t["name"] == "get_order")["outputSchema"]
    assert set(raw["structuredContent"]) <= set(schema["properties"])  # no pieces leak into the closed schema
    assert json.loads(raw["content"][0]["text"]) == raw["structuredContent"]
    assert raw["content"][1]["text"] == ("Piece 1 (postcard to Bart de Vries): accepted by the printer "
                                         "(test mode: simulated, nothing is printed or posted).")
    async with db.transaction() as session:
        row = (await session.execute(select(PieceTracking).where(PieceTracking.order_id == order["orderId"])
                                     .with_for_update())).scalar_one()
        await tracking.record(session, row, ProviderEvent("evt_1", "delivered", datetime(2026, 12, 1, 9, tzinfo=UTC),
                                                          "Delivered", "1012 AB Amsterdam"))
    raw = await tools.raw("get_order", {"orderId": order["orderId"]})
    assert raw["content"][1]["text"] == ("Piece 1 (postcard to Bart de Vries): delivered since 2026-12-01, "
                                         "last seen at 1012 AB Amsterdam (test mode: simulated, nothing is "
                                         "printed or posted).")
