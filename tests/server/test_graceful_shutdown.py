"""SIGTERM is a clean stop: a server answers every request it accepted before it exits, and a
worker stopped mid-job hands its lease back so another worker finishes the job at once (not
after the lease runs out), with each piece sent to the print partner once."""
from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import time
import uuid
from pathlib import Path

import httpx
from sqlalchemy import select

from domain.core.settings import Settings
from domain.persistence.db import Database
from domain.persistence.models import FulfillmentJob
from tests.api.payloads import NL_RECIPIENT
from tests.conftest import auth
from tests.support import servers
from tests.support.fake_partner import TOKEN, FakePartner
from tests.support.payments import (  # noqa: F401 - fixtures
    fund, live_app, live_client, live_settings, load_order, partner, partner_server, piece_ids, stripe_server,
)

LETTERS = {"requestType": "letter", "letters": [
    {"recipient": {**NL_RECIPIENT, "name": f"Reader {n}"}, "message": f"Letter {n}"} for n in range(3)]}
LEASE_SECONDS = 120  # far longer than the test: a takeover within it proves the lease was released


def _worker(env: dict[str, str], log: Path) -> subprocess.Popen[bytes]:
    out = open(log, "wb")
    return subprocess.Popen([sys.executable, "-m", "server", "worker"], env=env, cwd=servers.ROOT,
                            stdout=out, stderr=subprocess.STDOUT)


async def _job(db: Database, order_id: str) -> FulfillmentJob:
    async with db.read() as session:
        return (await session.execute(select(FulfillmentJob).where(FulfillmentJob.order_id == order_id))).scalar_one()


async def test_sigterm_to_a_worker_mid_job_hands_the_job_to_the_other_worker(
        live_client: httpx.AsyncClient, live_settings: Settings, account: dict, partner: FakePartner,
        db: Database, tmp_path: Path) -> None:
    await fund(db, account["id"], "live", 10_000)
    created = await live_client.post("/v1/orders", json=LETTERS, headers=auth(account["live_key"]))
    assert created.status_code == 200 and created.json()["status"] == "paid", created.text
    order_id = created.json()["orderId"]
    pieces = await piece_ids(db, order_id)
    partner.hold_key = pieces[1]  # the partner takes piece 2 and holds its answer
    env = servers.cli_env(
        live_settings.database_url, live_settings.asset_dir, PIETERPOST_FULFILLMENT_URL=partner.url,
        PIETERPOST_FULFILLMENT_TOKEN=TOKEN, PIETERPOST_FULFILLMENT_LEASE_SECONDS=str(LEASE_SECONDS),
        PIETERPOST_WORKER_POLL_SECONDS="0.1")
    workers = [_worker(env, tmp_path / f"worker-{n}.log") for n in range(2)]
    try:
        assert await asyncio.to_thread(partner.holding.wait, 60), "no worker reached piece 2"
        leased_by = (await _job(db, order_id)).leased_by or ""
        holder = next(w for w in workers if f":{w.pid}:" in leased_by)
        other = next(w for w in workers if w is not holder)
        holder.send_signal(signal.SIGTERM)
        await asyncio.sleep(0.3)
        partner.release.set()  # the piece in hand completes; then the lease is given back
        stopped_at = time.monotonic()
        assert await asyncio.to_thread(holder.wait, 30) == 0
        for _ in range(300):
            if (await load_order(db, order_id)).status == "fulfilled":
                break
            await asyncio.sleep(0.1)
        took = time.monotonic() - stopped_at
        assert (await load_order(db, order_id)).status == "fulfilled"
        assert took < LEASE_SECONDS / 4, f"the other worker waited {took:.1f} s"
        job = await _job(db, order_id)
        assert job.status == "done" and f":{other.pid}:" not in (job.leased_by or "")
    finally:
        partner.hold_key = None
        partner.release.set()
        for w in workers:
            if w.poll() is None:
                w.send_signal(signal.SIGTERM)
        for w in workers:
            try:
                w.wait(timeout=20)
            except subprocess.TimeoutExpired:
                w.kill()
    sent = [r["key"] for r in partner.received if r["key"] in pieces]
    assert sorted(sent) == sorted(pieces), sent  # the print partner received each piece once
    assert [partner.print_count.get(p) for p in pieces] == [1, 1, 1]
    assert not partner.problems
    assert b"released" in (tmp_path / f"worker-{workers.index(holder)}.log").read_bytes()


async def _slow_body(chunks: int, pause: float):
    yield b'{"amountCents": 500, "currency": "eur"'
    for _ in range(chunks):
        await asyncio.sleep(pause)
        yield b" "
    yield b"}"


async def test_sigterm_to_a_server_during_a_burst_answers_every_accepted_request(
        sqlite_database_url: str, tmp_path: Path) -> None:
    """Twenty top-ups whose bodies take ~1.5 s to arrive are in flight when SIGTERM lands:
    each gets its 200, the server exits within the grace period, and afterwards no new connection is accepted."""
    env = servers.cli_env(sqlite_database_url, tmp_path / "assets", PIETERPOST_RUN_WORKER="false",
                          PIETERPOST_RATE_LIMIT_PER_MINUTE="100000", PIETERPOST_GRACEFUL_SHUTDOWN_SECONDS="20")
    email = f"term-{uuid.uuid4().hex[:8]}@example.com"
    assert servers.run_cli(["accounts", "create", "--email", email, "--approve"], env).returncode == 0
    made = servers.run_cli(["keys", "create", "--email", email, "--mode", "test", "--json"], env)
    import json

    secret = json.loads(made.stdout)["secret"]
    port = servers.free_port()
    base = f"http://127.0.0.1:{port}"
    proc = subprocess.Popen([sys.executable, "-m", "server", "serve", "--port", str(port)],
                            env={**env, "PIETERPOST_BASE_URL": base}, cwd=servers.ROOT,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        for _ in range(600):
            try:
                if httpx.get(f"{base}/healthz", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                time.sleep(0.1)
        async with httpx.AsyncClient(base_url=base, timeout=60,
                                     limits=httpx.Limits(max_connections=50)) as http:
            async def one(n: int) -> int:
                answer = await http.post("/v1/credits/topups", content=_slow_body(15, 0.1),
                                         headers=auth(secret, **{"Idempotency-Key": f"burst-{n}",
                                                                 "Content-Type": "application/json"}))
                return answer.status_code

            burst = [asyncio.create_task(one(n)) for n in range(20)]
            await asyncio.sleep(0.5)  # every request is in flight, its body half sent
            os.kill(proc.pid, signal.SIGTERM)
            statuses = await asyncio.gather(*burst)
        assert statuses == [200] * 20
        # uvicorn re-raises SIGTERM after its graceful shutdown: the exit is "killed by SIGTERM", on time
        assert await asyncio.to_thread(proc.wait, 30) in (0, -signal.SIGTERM)
        try:
            httpx.get(f"{base}/healthz", timeout=2)
            refused = False
        except httpx.ConnectError:
            refused = True
        assert refused
    finally:
        if proc.poll() is None:
            proc.kill()
