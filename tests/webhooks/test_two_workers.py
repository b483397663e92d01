"""Two ``pieterpost worker`` processes on PostgreSQL share one receiver's 200 events: leases make
each delivered exactly once, and each object's events still arrive in creation order."""
from __future__ import annotations

import asyncio
import signal
import subprocess
import sys
import uuid
from pathlib import Path

from sqlalchemy import select

from domain.accounts.accounts import create_account
from domain.core.context import Caller
from domain.events import record
from domain.persistence.db import Database
from domain.persistence.webhook_models import WebhookAttempt, WebhookDelivery
from domain.use_cases import webhooks
from tests.conftest import make_settings
from tests.support import servers
from tests.support.webhook_receiver import Receiver

OBJECTS, PER_OBJECT = 40, 5


def _worker(env: dict[str, str]) -> subprocess.Popen[bytes]:
    return subprocess.Popen([sys.executable, "-m", "server", "worker"], env=env, cwd=servers.ROOT,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


async def test_two_worker_processes_deliver_200_events_each_once(pg_database_url: str, asset_dir: Path) -> None:
    settings = make_settings(pg_database_url, asset_dir, webhook_allow_private_targets=True)
    db = Database(pg_database_url)
    receiver = Receiver().start()
    receiver.slow = 0.01  # a little work per request, so both workers are busy at once
    try:
        async with db.transaction() as session:
            account = await create_account(session, f"two-{uuid.uuid4().hex[:8]}@example.com", approve=True)
        caller = Caller(account.id, "test")
        endpoint = await webhooks.create_endpoint(db, settings, caller, {"url": receiver.url})
        receiver.secrets[:] = [endpoint["secret"]]
        objects = [f"ord_{uuid.uuid4().hex[:24]}" for _ in range(OBJECTS)]
        created: dict[str, list[str]] = {o: [] for o in objects}
        async with db.transaction() as session:
            for n in range(PER_OBJECT):
                for obj in objects:
                    event = record(session, type="order.paid", account_id=account.id, mode="test", object_id=obj,
                                   data={"orderId": obj, "n": n})
                    created[obj].append(event.id)
        env = servers.cli_env(pg_database_url, asset_dir, PIETERPOST_WEBHOOK_ALLOW_PRIVATE_TARGETS="true",
                              PIETERPOST_WORKER_POLL_SECONDS="0.05", PIETERPOST_RUN_WORKER="false")
        workers = [_worker(env), _worker(env)]
        try:
            for _ in range(1200):
                if len(receiver.ok()) >= OBJECTS * PER_OBJECT:
                    break
                await asyncio.sleep(0.05)
            await asyncio.sleep(0.5)  # anything sent twice would arrive now
        finally:
            for proc in workers:
                proc.send_signal(signal.SIGTERM)
            for proc in workers:
                proc.wait(timeout=20)
        ids = [r.msg_id for r in receiver.received]
        assert len(ids) == OBJECTS * PER_OBJECT and len(set(ids)) == len(ids)  # each once, none twice
        assert all(r.verified_with == [0] and r.answered == 200 for r in receiver.received)
        for obj, expected in created.items():
            assert [r.msg_id for r in receiver.received if r.body["objectId"] == obj] == expected
        async with db.read() as session:
            attempts = (await session.execute(select(
                WebhookAttempt.delivery_id, WebhookAttempt.number, WebhookAttempt.succeeded,
                WebhookAttempt.error, WebhookAttempt.sent_by).join(
                WebhookDelivery, WebhookDelivery.id == WebhookAttempt.delivery_id)
                .where(WebhookDelivery.endpoint_id == endpoint["id"]))).all()
        # every attempt is logged; exactly one succeeded per delivery. On a loaded machine an attempt
        # can time out before the receiver reads it (never recorded there, as the checks above show):
        # such a failure is logged with its error and comes before the one success.
        succeeded = [a for a in attempts if a.succeeded]
        assert len(succeeded) == OBJECTS * PER_OBJECT and len({a.delivery_id for a in succeeded}) == len(succeeded)
        success_number = {a.delivery_id: a.number for a in succeeded}
        failed = [a for a in attempts if not a.succeeded]
        assert all(a.error and a.number < success_number[a.delivery_id] for a in failed), failed
        assert len(failed) <= OBJECTS, failed  # retries are the exception, not the rule
        assert len({a.sent_by.split(":")[1] for a in succeeded if a.sent_by}) >= 2  # both processes did part of it
    finally:
        receiver.stop()
        await db.dispose()
