"""A worker killed (SIGKILL) in the middle of handing a piece to Lob or Pingen, then restarted.

The provider took the piece but the worker died before recording it; the next worker sends
it again under the same ``Idempotency-Key`` and the provider answers with its first result,
so every piece is created at the provider exactly once and the order ends ``fulfilled``.
"""
from __future__ import annotations

import asyncio
import signal
import subprocess
import sys
from typing import Any

import httpx
from sqlalchemy import select

from domain.core.settings import Settings
from domain.persistence.db import Database
from domain.persistence.mail_models import PieceTracking
from domain.persistence.models import OrderPiece
from tests.api.payloads import NL_RECIPIENT, US_RECIPIENT
from tests.conftest import auth
from tests.support import servers
from tests.support.mail import (  # noqa: F401 - fixtures
    fake_lob, fake_pingen, lob_app, lob_client, lob_env, lob_server, lob_settings, pingen_app, pingen_client,
    pingen_env, pingen_server, pingen_settings,
)
from tests.support.payments import fund, load_order, piece_ids


def _letters(recipient: dict[str, Any]) -> dict[str, Any]:
    return {"requestType": "letter", "letters": [
        {"recipient": {**recipient, "name": f"Reader {n}"}, "message": f"Letter {n}"} for n in range(3)]}


def _worker(env: dict[str, str]) -> subprocess.Popen[bytes]:
    return subprocess.Popen([sys.executable, "-m", "server", "worker"], env=env, cwd=servers.ROOT,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


async def test_lob_worker_killed_mid_handoff_then_restarted_sends_each_piece_once(
        fake_lob: Any, lob_client: httpx.AsyncClient, lob_settings: Settings, account: dict, db: Database) -> None:
    await _kill_and_restart("lob", fake_lob, lob_client, lob_settings, account, db)


async def test_pingen_worker_killed_mid_handoff_then_restarted_sends_each_piece_once(
        fake_pingen: Any, pingen_client: httpx.AsyncClient, pingen_settings: Settings, account: dict,
        db: Database) -> None:
    await _kill_and_restart("pingen", fake_pingen, pingen_client, pingen_settings, account, db)


async def _kill_and_restart(provider: str, fake: Any, client: httpx.AsyncClient, settings: Settings,
                            account: dict, db: Database) -> None:
    await fund(db, account["id"], "live", 10_000)
    body = _letters(US_RECIPIENT if provider == "lob" else NL_RECIPIENT)
    response = await client.post("/v1/orders", json=body, headers=auth(account["live_key"]))
    assert response.status_code == 200, response.text
    order_id = response.json()["orderId"]
    pieces = await piece_ids(db, order_id)
    fake.hold_key = pieces[1]  # the provider creates piece 2, then holds its answer
    extra = lob_env(fake.url) if provider == "lob" else pingen_env(fake.url)
    env = servers.cli_env(settings.database_url, settings.asset_dir, PIETERPOST_FULFILLMENT_LEASE_SECONDS="2",
                          PIETERPOST_WORKER_POLL_SECONDS="0.1", PIETERPOST_FULFILLMENT_RETRY_BASE_SECONDS="0.1",
                          **extra)
    first = _worker(env)
    try:
        assert await asyncio.to_thread(fake.holding.wait, 60), "worker never reached piece 2"
        first.send_signal(signal.SIGKILL)
        first.wait(timeout=10)
    finally:
        if first.poll() is None:
            first.kill()
    fake.hold_key = None
    fake.release.set()
    async with db.read() as session:
        states = (await session.execute(select(OrderPiece.status).where(OrderPiece.order_id == order_id)
                                        .order_by(OrderPiece.position))).scalars().all()
    assert list(states) == ["handed_off", "pending", "pending"]  # killed before piece 2 was recorded
    second = _worker(env)
    try:
        for _ in range(600):
            if (await load_order(db, order_id)).status == "fulfilled":
                break
            await asyncio.sleep(0.1)
    finally:
        second.send_signal(signal.SIGTERM)
        second.wait(timeout=20)
    assert (await load_order(db, order_id)).status == "fulfilled"
    assert [fake.print_count.get(p) for p in pieces] == [1, 1, 1]  # each created at the provider once
    keys = [[r["key"] for r in fake.requests_for(p)] for p in pieces]
    assert keys == [[pieces[0]], [pieces[1], pieces[1]], [pieces[2]]]  # the retry carried the same key
    async with db.read() as session:
        tracked = (await session.execute(select(PieceTracking.piece_id, PieceTracking.status)
                                         .where(PieceTracking.order_id == order_id))).all()
    assert sorted(tracked) == sorted((p, "submitted") for p in pieces)
    assert not fake.problems
