"""Webhook delivery throughput vs a bare signed POST loop, in the same run, to a local receiver.

    python bench/webhooks.py [--events 400] [--postgres postgresql://postgres@127.0.0.1:5432/test]

The pipeline figure is ``domain.webhooks.rounds.run_round`` on events already recorded: fan-out
into deliveries, leased claims, Standard Webhooks signing, the POST, the attempt log and the
status write — each delivery in its own transaction. The baseline signs the same bodies with
``standardwebhooks`` and POSTs them with httpx to the same receiver (no database), at the same
concurrency. Events spread over objects of 5 events each (each object's events go in order).
Not a test: numbers only.
"""
from __future__ import annotations

import argparse
import asyncio
import json
import sys
import tempfile
import threading
import time
import uuid
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import httpx
from standardwebhooks.webhooks import Webhook

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from domain.accounts.accounts import create_account  # noqa: E402
from domain.core.context import Caller  # noqa: E402
from domain.events import record  # noqa: E402
from domain.persistence import migrate  # noqa: E402
from domain.persistence.db import Database  # noqa: E402
from domain.use_cases import webhooks  # noqa: E402
from domain.webhooks.rounds import run_round  # noqa: E402
from domain.webhooks.secrets import new_secret  # noqa: E402
from tests.conftest import make_settings  # noqa: E402

PER_OBJECT = 5


def _sink() -> tuple[str, ThreadingHTTPServer, list[int]]:
    """A loopback receiver that reads each POST and answers 200 (keep-alive)."""
    seen: list[int] = []

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"
        disable_nagle_algorithm = True  # headers and body go out as separate writes

        def do_POST(self) -> None:  # noqa: N802
            self.rfile.read(int(self.headers.get("content-length") or 0))
            seen.append(1)
            self.send_response(200)
            self.send_header("Content-Length", "2")
            self.end_headers()
            self.wfile.write(b"{}")

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return f"http://127.0.0.1:{server.server_address[1]}/hooks", server, seen


async def _bare(url: str, events: int, concurrency: int) -> float:
    secret = new_secret()
    bodies = [json.dumps({"id": f"evt_{n}", "type": "order.paid", "data": {"orderId": f"ord_{n}", "n": n}})
              for n in range(events)]
    gate = asyncio.Semaphore(concurrency)
    async with httpx.AsyncClient(limits=httpx.Limits(max_connections=concurrency)) as http:
        async def one(n: int, body: str) -> None:
            async with gate:
                signature = Webhook(secret).sign(f"evt_{n}", datetime.now(UTC), body)
                answer = await http.post(url, content=body, headers={
                    "webhook-id": f"evt_{n}", "webhook-timestamp": str(int(time.time())),
                    "webhook-signature": signature, "content-type": "application/json"})
                assert answer.status_code == 200

        started = time.perf_counter()
        await asyncio.gather(*(one(n, b) for n, b in enumerate(bodies)))
        return events / (time.perf_counter() - started)


async def _pipeline(db: Database, url: str, events: int, concurrency: int, asset_dir: Path) -> float:
    settings = make_settings(db.url, asset_dir, webhook_allow_private_targets=True, webhook_concurrency=concurrency)
    async with db.transaction() as session:
        account = await create_account(session, f"bench-{uuid.uuid4().hex[:8]}@example.com", approve=True)
    endpoint = await webhooks.create_endpoint(db, settings, Caller(account.id, "test"), {"url": url})
    objects = [f"ord_{uuid.uuid4().hex[:24]}" for _ in range(events // PER_OBJECT)]
    async with db.transaction() as session:
        for n in range(PER_OBJECT):
            for obj in objects:
                record(session, type="order.paid", account_id=account.id, mode="test", object_id=obj,
                       data={"orderId": obj, "n": n})
    started = time.perf_counter()
    outcomes = await run_round(db, settings, f"bench-{concurrency}")
    elapsed = time.perf_counter() - started
    assert outcomes.count("succeeded") == len(objects) * PER_OBJECT, outcomes[:5]
    await webhooks.delete_endpoint(db, Caller(account.id, "test"), endpoint["id"])
    return len(outcomes) / elapsed


async def _run(url: str, events: int) -> None:
    migrate.upgrade(url)
    db = Database(url)
    sink, server, _seen = _sink()
    asset_dir = Path(tempfile.mkdtemp())
    print(f"  {'concurrency':>11}  {'pipeline/s':>10}  {'bare signed POST/s':>18}  {'ratio':>5}")
    for concurrency in (1, 16):
        bare = await _bare(sink, events, concurrency)
        piped = await _pipeline(db, sink, events, concurrency, asset_dir)
        print(f"  {concurrency:>11}  {piped:>10.0f}  {bare:>18.0f}  {piped / bare:>5.2f}")
    server.shutdown()
    await db.dispose()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--events", type=int, default=400)
    parser.add_argument("--postgres")
    args = parser.parse_args()
    targets = [("SQLite", f"sqlite+aiosqlite:///{tempfile.mkdtemp()}/bench.db")]
    name = ""
    if args.postgres:
        import psycopg

        name = f"pp_bench_{uuid.uuid4().hex[:8]}"
        with psycopg.connect(args.postgres, autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{name}"')
        targets.append(("PostgreSQL", args.postgres.rsplit("/", 1)[0] + f"/{name}"))
    print(f"{args.events} events, {PER_OBJECT} per object, one local receiver")
    for label, url in targets:
        print(label)
        asyncio.run(_run(url, args.events))
    if args.postgres:
        with psycopg.connect(args.postgres, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


if __name__ == "__main__":
    main()
