"""Fulfillment throughput and webhook application rate, in process, against the test fakes.

    python bench/fulfillment.py [--orders 40] [--postgres postgresql://postgres@127.0.0.1:5432/test]

Pieces/s handed to the (local, instant) fake print partner with 1 and 4 worker loops on one
database: the cost of leasing, rendering each piece's PDF and recording it. Then signed
``checkout.session.completed`` events/s through ``POST /v1/stripe/webhook`` (each applied
once, in its own transaction). Each figure stands beside a baseline from the same run: rendering and POSTing the same number
of pieces to a bare loopback sink (no database, no leases), and Stripe's signature check alone.
Not a test: numbers only.
"""
from __future__ import annotations

import argparse
import asyncio
import threading
import sys
import tempfile
import time
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import httpx
import stripe as stripe_lib

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from domain.persistence import migrate  # noqa: E402
from domain.accounts.accounts import create_account  # noqa: E402
from domain.accounts.apikeys import create_key  # noqa: E402
from domain.persistence.db import Database  # noqa: E402
from domain.printing import LetterPiece, render_pieces  # noqa: E402
from server.app import create_app  # noqa: E402
from server.worker import run_once  # noqa: E402
from tests.support import fake_partner, fake_stripe  # noqa: E402
from tests.support.payments import fund, live_settings_for  # noqa: E402

LETTERS = {"requestType": "letter", "letters": [
    {"recipient": {"name": f"Reader {n}", "streetAddress": "Damrak 1", "postalCode": "1012 LG",
                   "city": "Amsterdam", "country": "NL"}, "message": "Dear reader,\n" + "A line of text. " * 40}
    for n in range(5)]}


def _sink() -> tuple[str, ThreadingHTTPServer]:
    """A loopback endpoint that reads each upload and answers 200: the floor for a hand-off."""
    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:  # noqa: N802
            self.rfile.read(int(self.headers.get("content-length") or 0))
            self.send_response(200)
            self.send_header("Content-Length", "2")
            self.end_headers()
            self.wfile.write(b"{}")

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return f"http://127.0.0.1:{server.server_address[1]}", server


async def _baselines(pieces: int) -> tuple[float, float]:
    """Same run, no database: render + POST each piece; and Stripe signature checks alone."""
    url, server = _sink()
    letter = LETTERS["letters"][0]
    piece = LetterPiece([letter["recipient"]["name"], "Damrak 1", "1012 LG AMSTERDAM"], letter["message"])
    async with httpx.AsyncClient() as http:
        started = time.perf_counter()
        for _ in range(pieces):
            pdf = await asyncio.to_thread(render_pieces, [piece])
            await http.post(f"{url}/v1/pieces", files={"file": ("piece.pdf", pdf, "application/pdf")})
        handoff = pieces / (time.perf_counter() - started)
    server.shutdown()
    body, headers = fake_stripe.signed_event("checkout.session.completed", {"id": "cs_x", "object": "checkout.session"})
    started = time.perf_counter()
    for _ in range(200):
        stripe_lib.Webhook.construct_event(body, headers["Stripe-Signature"], fake_stripe.WEBHOOK_SECRET)
    return handoff, 200 / (time.perf_counter() - started)


async def _run(url: str, orders: int) -> None:
    migrate.upgrade(url)
    bare_handoff, bare_webhook = await _baselines(orders * 5)
    stripe, stripe_srv = fake_stripe.start()
    partner, partner_srv = fake_partner.start()
    settings = live_settings_for(url, Path(tempfile.mkdtemp()), stripe.url, partner.url)
    db = Database(url)
    async with db.transaction() as session:
        account = await create_account(session, f"bench-{uuid.uuid4().hex[:8]}@example.com", approve=True)
        key = (await create_key(session, account.id, "live", "bench")).secret
    await fund(db, account.id, "live", 10_000_000)
    app = create_app(settings, run_migrations=False)
    async with app.router.lifespan_context(app), httpx.AsyncClient(
            transport=httpx.ASGITransport(app=app), base_url=settings.base_url) as client:
        headers = {"Authorization": f"Bearer {key}"}
        for loops in (1, 4):
            for _ in range(orders):
                assert (await client.post("/v1/orders", json=LETTERS, headers=headers)).status_code == 200
            started = time.perf_counter()
            await asyncio.gather(*(run_once(db, settings, me=f"bench-{n}") for n in range(loops)))
            elapsed = time.perf_counter() - started
            rate = orders * 5 / elapsed
            print(f"  worker loops={loops}: {orders * 5} pieces in {elapsed:.2f} s = {rate:.0f} pieces/s"
                  f"  (bare render+POST {bare_handoff:.0f}/s, ratio {rate / bare_handoff:.2f})")
        sessions = []
        for _ in range(orders):
            order = (await client.post("/v1/checkout-links", json=LETTERS, headers=headers)).json()
            sessions.append(order["checkoutUrl"].rsplit("/", 1)[-1])
        events = [fake_stripe.signed_event("checkout.session.completed", stripe.complete(s)) for s in sessions]
        started = time.perf_counter()
        for body, hdrs in events:
            assert (await client.post("/v1/stripe/webhook", content=body, headers=hdrs)).json()["outcome"] == "applied"
        elapsed = time.perf_counter() - started
        rate = len(events) / elapsed
        print(f"  webhooks: {len(events)} applied in {elapsed:.2f} s = {rate:.0f} events/s"
              f"  (bare signature check {bare_webhook:.0f}/s, ratio {rate / bare_webhook:.3f})")
    await db.dispose()
    stripe_srv.shutdown()
    partner_srv.shutdown()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--orders", type=int, default=40)
    parser.add_argument("--postgres")
    args = parser.parse_args()
    targets = [("SQLite", f"sqlite+aiosqlite:///{tempfile.mkdtemp()}/bench.db")]
    if args.postgres:
        import psycopg

        name = f"pp_bench_{uuid.uuid4().hex[:8]}"
        with psycopg.connect(args.postgres, autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{name}"')
        targets.append(("PostgreSQL", args.postgres.rsplit("/", 1)[0] + f"/{name}"))
    for label, url in targets:
        print(label)
        asyncio.run(_run(url, args.orders))
    if args.postgres:
        with psycopg.connect(args.postgres, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


if __name__ == "__main__":
    main()
