"""Per-minute rate limit (memory in one process, Redis across processes) and the daily order cap
(exact in the database, across processes); a Redis that stops never fails a request."""
from __future__ import annotations

import asyncio
import logging
import time
import uuid
from pathlib import Path

import httpx
import pytest

from domain.persistence.db import Database
from tests.api.payloads import CHECKOUT_LETTER
from tests.conftest import auth, make_settings
from tests.support.apps import asgi_client, running_app
from tests.support.redis_server import private_redis, shared_redis
from tests.support.servers import cli_env, run_cli, running_server


def _wait_for_fresh_minute(margin: float = 8.0) -> None:
    """Fixed windows: start well inside a minute so 61 quick requests share one window."""
    left = 60 - (time.time() % 60)
    if left < margin:
        time.sleep(left + 0.2)


async def _new_key(db: Database) -> str:
    from domain.accounts.accounts import create_account
    from domain.accounts.apikeys import create_key

    async with db.transaction() as session:
        acct = await create_account(session, f"limits-{uuid.uuid4().hex[:10]}@example.com", approve=True)
        return (await create_key(session, acct.id, "test")).secret


async def test_61st_request_in_a_minute_is_429(database_url: str, asset_dir: Path, db: Database) -> None:
    from server.app import create_app

    app = create_app(make_settings(database_url, asset_dir, rate_limit_per_minute=60), run_migrations=False)
    key = await _new_key(db)
    _wait_for_fresh_minute()
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://127.0.0.1:8000") as http:
        responses = [await http.get("/v1/wallet", headers=auth(key)) for _ in range(61)]
    assert [r.status_code for r in responses[:60]] == [200] * 60
    assert responses[59].headers["x-ratelimit-remaining"] == "0"
    last = responses[60]
    assert last.status_code == 429 and last.json()["code"] == "rate_limited"
    assert 1 <= int(last.headers["retry-after"]) <= 60
    assert last.headers["x-ratelimit-limit"] == "60"


async def test_101st_order_of_the_day_is_capped(database_url: str, asset_dir: Path, db: Database) -> None:
    from server.app import create_app

    app = create_app(make_settings(database_url, asset_dir, daily_order_cap=100), run_migrations=False)
    key = await _new_key(db)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://127.0.0.1:8000") as http:
        codes = [(await http.post("/v1/checkout-links", json=CHECKOUT_LETTER, headers=auth(key))).status_code
                 for _ in range(100)]
        assert codes == [200] * 100
        capped = await http.post("/v1/checkout-links", json=CHECKOUT_LETTER, headers=auth(key))
    assert capped.status_code == 429 and capped.json()["code"] == "daily_order_cap_reached"
    assert "Retry-After" in capped.headers


def _wallet_calls(bases: list[str], key: str, count: int) -> list[httpx.Response]:
    with httpx.Client(timeout=30) as http:
        return [http.get(f"{bases[i % 2]}/v1/wallet", headers=auth(key)) for i in range(count)]


async def test_minute_limit_is_shared_by_two_processes_with_redis(database_url: str, asset_dir: Path) -> None:
    redis_url, prefix = shared_redis()
    env = cli_env(database_url, asset_dir, PIETERPOST_RATE_LIMIT_PER_MINUTE="60", PIETERPOST_RUN_WORKER="false",
                  PIETERPOST_REDIS_URL=redis_url, PIETERPOST_REDIS_PREFIX=prefix)
    email = f"two-proc-{uuid.uuid4().hex[:8]}@example.com"
    assert run_cli(["accounts", "create", "--email", email, "--json"], env).returncode == 0
    key = _key(env, email)
    with running_server(env) as first, running_server(env) as second:
        _wait_for_fresh_minute()
        rate = _wallet_calls([first, second], key, 61)
    assert [r.status_code for r in rate[:60]] == [200] * 60
    assert rate[59].headers["x-ratelimit-remaining"] == "0"
    assert rate[60].status_code == 429 and rate[60].json()["code"] == "rate_limited"
    assert 1 <= int(rate[60].headers["retry-after"]) <= 60


async def test_stopped_redis_fails_open_with_a_warning(database_url: str, asset_dir: Path, db: Database,
                                                      caplog: pytest.LogCaptureFixture) -> None:
    from server.app import create_app

    key = await _new_key(db)
    with private_redis() as redis:
        settings = make_settings(database_url, asset_dir, rate_limit_per_minute=1000, redis_url=redis.url,
                                 redis_prefix=f"pptest:{uuid.uuid4().hex[:8]}:")
        async with running_app(settings) as app, asgi_client(app) as http:
            before = [await http.get("/v1/wallet", headers=auth(key)) for _ in range(5)]
            assert [r.status_code for r in before] == [200] * 5
            assert before[-1].headers["x-ratelimit-remaining"] == "995"
            import redis.asyncio as aioredis

            probe = aioredis.from_url(redis.url)
            counted = [k async for k in probe.scan_iter(match=settings.redis_prefix + "rate:*")]
            assert counted  # counted in Redis, and each window's key expires after it is over
            assert all(0 < ttl <= 120 for ttl in [await probe.ttl(k) for k in counted])
            assert {int(await probe.get(k)) for k in counted} == {5}  # five requests in each bucket
            await probe.aclose()
            redis.stop()
            with caplog.at_level(logging.WARNING, logger="pieterpost.redis"):
                after = [await http.get("/v1/wallet", headers=auth(key)) for _ in range(20)]
                order = await http.post("/v1/checkout-links", json=CHECKOUT_LETTER, headers=auth(key))
    assert [r.status_code for r in after] == [200] * 20
    assert order.status_code == 200, order.text
    assert all("x-ratelimit-limit" in r.headers for r in after)
    warnings = [r for r in caplog.records if r.name == "pieterpost.redis" and r.levelno == logging.WARNING]
    assert warnings and "redis unavailable" in warnings[0].getMessage()


async def test_daily_cap_holds_across_two_processes(pg_database_url: str, asset_dir: Path) -> None:
    env = cli_env(pg_database_url, asset_dir, PIETERPOST_RATE_LIMIT_PER_MINUTE="100000",
                  PIETERPOST_DAILY_ORDER_CAP="100", PIETERPOST_RUN_WORKER="false")
    email = f"two-proc-{uuid.uuid4().hex[:8]}@example.com"
    assert run_cli(["accounts", "create", "--email", email, "--json"], env).returncode == 0
    cap_key = _key(env, email)
    with running_server(env) as first, running_server(env) as second:
        bases = [first, second]
        async with httpx.AsyncClient(timeout=30) as http:
            sem = asyncio.Semaphore(8)

            async def one(i: int) -> int:
                async with sem:
                    r = await http.post(f"{bases[i % 2]}/v1/checkout-links", json=CHECKOUT_LETTER,
                                        headers=auth(cap_key))
                    return r.status_code

            codes = await asyncio.gather(*(one(i) for i in range(100)))
            assert codes.count(200) == 100, codes
            capped = await http.post(f"{bases[1]}/v1/checkout-links", json=CHECKOUT_LETTER, headers=auth(cap_key))
        assert capped.status_code == 429 and capped.json()["code"] == "daily_order_cap_reached"


def _key(env: dict[str, str], email: str) -> str:
    import json

    out = run_cli(["keys", "create", "--email", email, "--mode", "test", "--json"], env)
    assert out.returncode == 0, out.stderr
    return json.loads(out.stdout)["secret"]
