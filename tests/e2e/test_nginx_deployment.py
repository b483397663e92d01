"""The deployment of docs/deploy.md, end to end: Debian nginx round-robin in front of two
``pieterpost serve`` (``RUN_WORKER=false``) and one ``pieterpost worker``, on a private
PostgreSQL cluster, with Redis and assets on S3 (moto). Everything goes through nginx.

1. The journey: OAuth sign-in with the MCP SDK, an upload answered by one host used by an
   order answered by the other, payment through the sandbox checkout, a live order handed to
   the print partner by the worker process, the proof downloaded, and the sandbox order's
   events POSTed by the worker process to a webhook endpoint registered through nginx (a
   receiver in this test verifies each with the ``standardwebhooks`` library). The endpoint is
   a test-mode one: live endpoints must be https, and this receiver is plain http on loopback.
2. PostgreSQL stopped for 10 s under load: every request gets an HTTP answer, 503 ``db_error``
   (with ``Retry-After``) during the outage, 200 after, and nothing that was answered 200 is lost.
"""
from __future__ import annotations

import asyncio
import base64
import io
import json
import re
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from html import unescape
from pathlib import Path
from urllib.parse import parse_qs, urljoin, urlsplit

import httpx
import httpx2
import pytest
from mcp.client.session import ClientSession
from mcp.client.streamable_http import streamable_http_client
from pypdf import PdfReader

from tests.domain.filemakers import image_bytes, image_sizes
from tests.support import fake_partner
from tests.support.fake_s3 import FakeS3, running_s3
from tests.support.mcp_client import handshake, structured
from tests.support.mcp_oauth import REDIRECT_URI, Browser, _form, oauth_provider
from tests.support.nginx import NGINX, running_nginx
from tests.support.pg_cluster import Cluster, pg_bin, private_cluster
from tests.support.servers import ROOT, cli_env, free_port, run_cli, running_server
from tests.support.system import require_system_part
from tests.support.webhook_receiver import Receiver

PASSWORD = "a long and careful passphrase"
RECIPIENT = {"name": "Pieter Post", "streetAddress": "Keizersgracht 1", "postalCode": "1015 CJ",
             "city": "Amsterdam", "country": "NL"}


def _redis_up() -> bool:
    try:
        with socket.create_connection(("127.0.0.1", 6379), timeout=1):
            return True
    except OSError:
        return False


@dataclass
class Deployment:
    base: str  # nginx
    hosts: list[str]  # the two serve processes, direct
    cluster: Cluster
    database_url: str
    s3: FakeS3
    bucket: str
    partner: fake_partner.FakePartner
    email: str
    test_key: str
    live_key: str
    account_id: str
    worker_pid: int
    receiver: Receiver


class SigningInBrowser(Browser):
    """A person who already has an account: signs in on the authorization page, then approves."""

    async def visit(self, authorization_url: str) -> None:
        answer = await self.http.get(authorization_url)
        while answer.status_code in (302, 303) and not answer.headers["location"].startswith(REDIRECT_URI):
            page = await self.http.get(urljoin(str(answer.url), answer.headers["location"]))
            if "signin-form" in page.text:
                self.pages_seen.append("signin")
                action, hidden = _form(page.text, "signin-form")
                answer = await self.http.post(urljoin(str(page.url), action),
                                              data={**hidden, "email": self.email, "password": self.password})
            elif "consent-form" in page.text:
                self.pages_seen.append("consent")
                action, hidden = _form(page.text, "consent-form")
                answer = await self.http.post(urljoin(str(page.url), action), data={**hidden, "decision": "approve"})
            else:
                answer = page
        location = answer.headers.get("location", "")
        assert location.startswith(REDIRECT_URI), f"{answer.status_code} {answer.text[:300]}"
        self._pending = {k: v[0] for k, v in parse_qs(urlsplit(location).query).items()}


def _create_database(cluster: Cluster) -> str:
    import psycopg

    with psycopg.connect(f"host=127.0.0.1 port={cluster.port} user=postgres dbname=postgres", autocommit=True) as c:
        c.execute('CREATE DATABASE "pieterpost"')
    return f"postgresql://postgres@127.0.0.1:{cluster.port}/pieterpost"


@pytest.fixture(scope="module")
def deployment(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Deployment]:
    require_system_part("nginx", Path(NGINX).exists(), "apt-get install nginx")
    require_system_part("PostgreSQL server binaries", pg_bin() is not None, "apt-get install postgresql")
    require_system_part("Redis", _redis_up(), "start redis-server on 127.0.0.1:6379")
    tmp = tmp_path_factory.mktemp("deploy")
    partner, partner_server = fake_partner.start()
    receiver = Receiver().start()  # the customer's webhook receiver, on loopback
    with private_cluster() as cluster, running_s3() as s3:
        database_url = _create_database(cluster)
        bucket = s3.new_bucket()
        nginx_port, ports = free_port(), [free_port(), free_port()]
        base = f"http://127.0.0.1:{nginx_port}"
        env = cli_env(database_url, tmp / "scratch", **s3.env(bucket), PIETERPOST_BASE_URL=base,
                      PIETERPOST_RUN_WORKER="false", PIETERPOST_REDIS_URL="redis://127.0.0.1:6379/0",
                      PIETERPOST_RATE_LIMIT_PER_MINUTE="100000", PIETERPOST_RATE_LIMIT_IP_PER_MINUTE="1000000",
                      PIETERPOST_DAILY_ORDER_CAP="100000", PIETERPOST_FULFILLMENT_URL=partner.url,
                      PIETERPOST_FULFILLMENT_TOKEN=fake_partner.TOKEN, PIETERPOST_WORKER_POLL_SECONDS="0.2",
                      PIETERPOST_FULFILLMENT_RETRY_BASE_SECONDS="0.2", PIETERPOST_FULFILLMENT_RETRY_MAX_SECONDS="1",
                      PIETERPOST_WEBHOOK_ALLOW_PRIVATE_TARGETS="true")  # the receiver is on loopback
        email = f"ops-{uuid.uuid4().hex[:8]}@example.com"
        made = run_cli(["accounts", "create", "--email", email, "--password-stdin", "--approve", "--json"], env,
                       stdin=PASSWORD + "\n")
        assert made.returncode == 0, made.stderr
        account_id = json.loads(made.stdout)["id"]
        keys = {}
        for mode in ("test", "live"):
            out = run_cli(["keys", "create", "--email", email, "--mode", mode, "--json"], env)
            assert out.returncode == 0, out.stderr
            keys[mode] = json.loads(out.stdout)["secret"]
        worker_log = open(tmp / "worker.log", "wb")
        worker = subprocess.Popen([sys.executable, "-m", "server", "worker"], env=env, cwd=ROOT,
                                  stdout=worker_log, stderr=subprocess.STDOUT)
        try:
            with running_server(env, ports[0]), running_server(env, ports[1]), running_nginx(tmp, ports, nginx_port):
                yield Deployment(base, [f"http://127.0.0.1:{p}" for p in ports], cluster, database_url, s3, bucket,
                                 partner, email, keys["test"], keys["live"], account_id, worker.pid, receiver)
        finally:
            worker.terminate()
            try:
                worker.wait(timeout=20)
            except subprocess.TimeoutExpired:
                worker.kill()
            worker_log.close()
            partner_server.shutdown()
            receiver.stop()


def _bearer(key: str, **extra: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {key}", **extra}


async def _fund_live(database_url: str, account_id: str, cents: int) -> None:
    from domain.persistence.db import Database
    from tests.support.payments import fund

    db = Database(database_url)
    try:
        await fund(db, account_id, "live", cents)
    finally:
        await db.dispose()


async def _senders(database_url: str, delivery_ids: list[str]) -> set[int]:
    """The process ids that made these deliveries' attempts (``sent_by`` is host:pid:task)."""
    from sqlalchemy import select

    from domain.persistence.db import Database
    from domain.persistence.webhook_models import WebhookAttempt

    db = Database(database_url)
    try:
        async with db.read() as session:
            sent_by = (await session.execute(select(WebhookAttempt.sent_by).where(
                WebhookAttempt.delivery_id.in_(delivery_ids)))).scalars().all()
    finally:
        await db.dispose()
    return {int(s.split(":")[1]) for s in sent_by}


async def test_the_whole_journey_through_nginx(deployment: Deployment) -> None:
    d = deployment
    async with httpx.AsyncClient(base_url=d.base, timeout=60) as http:
        for _ in range(30):  # both hosts warm (first connections on a loaded machine are slow)
            ready = await http.get("/readyz")
            if ready.status_code == 200 and (await http.get("/readyz")).status_code == 200:
                break
            await asyncio.sleep(1)
        assert ready.status_code == 200 and ready.json() == {
            "status": "ok", "database": "ok", "assets": "ok", "redis": "ok"}, ready.text

        # an upload answered by one host ...
        png = image_bytes((1000, 1000))
        uploaded = await http.post("/v1/uploads", data={"kind": "postcard-image"},
                                   files={"file": ("front.png", png, "image/png")}, headers=_bearer(d.live_key))
        assert uploaded.status_code == 200, uploaded.text
        asset_id, upload_host = uploaded.json()["assetId"], uploaded.headers["x-upstream"]
        assert d.s3.keys(d.bucket) == [f"assets/{asset_id}"]
        assert not list(Path(ROOT).glob(f"**/{asset_id}"))  # not on any local disk
        # ... and a live order using it, answered by the other
        await _fund_live(d.database_url, d.account_id, 10_000)
        order_host, order = upload_host, None
        for n in range(4):
            order = await http.post("/v1/orders", headers=_bearer(d.live_key, **{"Idempotency-Key": f"live-{n}"}),
                                    json={"requestType": "postcard", "postcard": {
                                        "frontImageAssetId": asset_id, "message": "Hello through nginx",
                                        "recipient": RECIPIENT}}) if order_host == upload_host else order
            order_host = order.headers["x-upstream"]
            if order_host != upload_host:
                break
            await http.get("/healthz")  # round-robin: the next request goes to the other host
        assert order is not None and order.status_code == 200, order.text
        assert order_host != upload_host, "both requests reached the same host"
        order_id = order.json()["orderId"]
        assert order.json()["status"] == "paid"  # live: the worker process takes it from here

        # worker hand-off to the print partner
        for _ in range(300):
            status = (await http.get(f"/v1/orders/{order_id}", headers=_bearer(d.live_key))).json()["status"]
            if status in ("fulfilled", "failed"):
                break
            await asyncio.sleep(0.1)
        assert status == "fulfilled"
        handed = [r for r in d.partner.received if r["metadata"].get("orderId") == order_id]
        assert len(handed) == 1 and handed[0]["pdf_bytes"] > 0 and not d.partner.problems

        # proof download (the front read back from S3)
        proof = await http.get(f"/v1/orders/{order_id}/proof", headers=_bearer(d.live_key))
        assert proof.status_code == 200 and proof.headers["content-type"] == "application/pdf"
        assert image_sizes(PdfReader(io.BytesIO(proof.content)).pages[0]) == [(1000, 1000)]
        public = await http.get(f"/api/public-assets/{asset_id}")
        assert public.status_code == 200 and public.content == png

        # a webhook endpoint registered through nginx (test mode: the sandbox order's events go to it)
        hook = await http.post("/v1/webhook-endpoints", headers=_bearer(d.test_key),
                               json={"url": d.receiver.url, "enabledEvents": ["*"], "description": "e2e"})
        assert hook.status_code == 200, hook.text
        endpoint_id, secret = hook.json()["id"], hook.json()["secret"]
        d.receiver.secrets[:] = [secret]  # the receiver verifies with this endpoint's secret only

        # payment through the sandbox checkout (test mode)
        link = await http.post("/v1/checkout-links", headers=_bearer(d.test_key, **{"Idempotency-Key": "sandbox-1"}),
                               json={"requestType": "postcard", "postcard": {
                                   "frontImageAssetId": asset_id, "message": "Paid in the sandbox",
                                   "recipient": RECIPIENT}})
        assert link.status_code == 200, link.text
        checkout_url = link.json()["checkoutUrl"]
        assert checkout_url.startswith(d.base)  # BASE_URL is the proxy's address, not a host's
        page = await http.get(checkout_url)
        assert page.status_code == 200
        token = unescape(re.search(r'name="token" value="([^"]+)"', page.text).group(1))
        paid = await http.post(checkout_url, data={"action": "pay", "token": token})
        assert paid.status_code == 303
        sandbox_order = (await http.get(f"/v1/orders/{link.json()['orderId']}", headers=_bearer(d.test_key))).json()
        assert sandbox_order["status"] in ("paid", "queued", "fulfilled") and sandbox_order["paidAt"]

        # webhook delivery: the worker process (the servers run no worker) POSTs the sandbox order's events
        sandbox_id = sandbox_order["orderId"]
        expected = ["order.created", "order.checkout_opened", "order.paid", "order.fulfilled"]
        deliveries: list[dict] = []
        for _ in range(300):
            listed = await http.get(f"/v1/webhook-endpoints/{endpoint_id}/deliveries", headers=_bearer(d.test_key))
            assert listed.status_code == 200, listed.text
            deliveries = listed.json()["data"]
            if len(deliveries) >= len(expected) and all(x["status"] != "pending" for x in deliveries):
                break  # settled: nothing more will be sent for these
            await asyncio.sleep(0.1)
        assert sorted(x["eventType"] for x in deliveries) == sorted(expected), deliveries
        assert all(x["status"] == "succeeded" and x["attemptCount"] == 1 for x in deliveries), deliveries
        got = [r for r in d.receiver.received if r.body["objectId"] == sandbox_id]
        assert [r.body["type"] for r in got] == expected  # each once, in creation order
        assert all(r.verified_with == [0] and r.answered == 200 for r in got)  # signed with the endpoint's secret
        assert len({r.msg_id for r in got}) == len(expected) == len(d.receiver.received)
        assert {r.msg_id for r in got} == {x["eventId"] for x in deliveries}
        assert await _senders(d.database_url, [x["id"] for x in deliveries]) == {d.worker_pid}

    # OAuth sign-in with the MCP SDK through nginx; the tools see the same account and orders
    browser = SigningInBrowser(email=d.email, password=PASSWORD)
    provider = oauth_provider(f"{d.base}/mcp/", browser)
    async with httpx2.AsyncClient(auth=provider, timeout=60) as mcp_http, streamable_http_client(
            f"{d.base}/mcp/", http_client=mcp_http) as (read, write), ClientSession(read, write) as session:
        await handshake(session, "2025-11-25")
        seen = structured(await session.call_tool("get_order", {"orderId": order_id}))
        assert seen["status"] == "fulfilled"
        again = structured(await session.call_tool("upload_asset", {
            "kind": "postcard-image", "fileBase64": base64.b64encode(image_bytes((1000, 1000))).decode(),
            "fileName": "mcp.png", "contentType": "image/png"}))
        assert f"assets/{again['assetId']}" in d.s3.keys(d.bucket)
    assert "signin" in browser.pages_seen and "consent" in browser.pages_seen


async def test_postgres_stopped_for_ten_seconds_under_load(deployment: Deployment) -> None:
    d = deployment
    outcomes: list[tuple[float, str, int | None, str]] = []  # (time, what, status, code)
    answered: dict[str, str] = {}  # idempotency key -> top-up id answered 200
    stop = asyncio.Event()
    phase = {"name": "before"}

    async def load(n: int, http: httpx.AsyncClient) -> None:
        i = 0
        while not stop.is_set():
            i += 1
            key = f"outage-{n}-{i}"
            try:
                r = await http.post("/v1/credits/topups", json={"amountCents": 500, "currency": "eur"},
                                    headers=_bearer(d.test_key, **{"Idempotency-Key": key}))
                code = r.json().get("code", "") if r.status_code != 200 else ""
                if r.status_code == 503:
                    assert r.headers.get("retry-after", "").isdigit()
                if r.status_code == 200:
                    answered[key] = r.json()["topupId"]
                outcomes.append((time.monotonic(), phase["name"], r.status_code, code))
                if r.status_code != 200:
                    outcomes.append((time.monotonic(), phase["name"] + ":key", None, key))
            except httpx.HTTPError as exc:
                outcomes.append((time.monotonic(), phase["name"], None, f"no answer: {exc!r}"))
            await asyncio.sleep(0.05)

    async with httpx.AsyncClient(base_url=d.base, timeout=60) as http:
        workers = [asyncio.create_task(load(n, http)) for n in range(6)]
        await asyncio.sleep(2)
        phase["name"] = "outage"
        await asyncio.to_thread(d.cluster.stop)
        await asyncio.sleep(10)
        phase["name"] = "restarting"
        await asyncio.to_thread(d.cluster.start)
        await asyncio.sleep(3)
        phase["name"] = "after"
        await asyncio.sleep(4)
        stop.set()
        await asyncio.gather(*workers)

        results = [o for o in outcomes if not o[1].endswith(":key")]
        unanswered = [o for o in results if o[2] is None]
        assert unanswered == [], unanswered[:5]  # every request got an HTTP answer
        assert {o[2] for o in results} <= {200, 503}, {o[2] for o in results}
        outage = [o for o in results if o[1] == "outage"]
        assert outage and all(o[2] == 503 and o[3] == "db_error" for o in outage[len(outage) // 3:]), outage[:5]
        after = [o for o in results if o[1] == "after"]
        assert after and all(o[2] == 200 for o in after)
        assert any(o[2] == 200 for o in results if o[1] == "before")

        # nothing lost: every top-up answered 200 is there; a refused one can be sent again
        listed: set[str] = set()
        cursor = None
        while True:
            page = (await http.get("/v1/credits/topups", params={"limit": 100, **(
                {"startingAfter": cursor} if cursor else {})}, headers=_bearer(d.test_key))).json()
            listed |= {t["topupId"] for t in page["data"]}
            if not page["hasMore"]:
                break
            cursor = page["data"][-1]["topupId"]
        assert set(answered.values()) <= listed
        refused_keys = [o[3] for o in outcomes if o[1].endswith(":key")]
        for key in refused_keys[:5]:
            retried = await http.post("/v1/credits/topups", json={"amountCents": 500, "currency": "eur"},
                                      headers=_bearer(d.test_key, **{"Idempotency-Key": key}))
            assert retried.status_code == 200, retried.text
