"""Bearer verification cost (the per-call overhead OAuth adds to every MCP tools/call).

    python bench/oauth_verify.py [DATABASE_URL] [N]

Issues one real token through the token endpoint (in-process ASGI), then times
``oauth.bearer.verify`` N times with 1, 8 and 32 concurrent callers beside a bare ``SELECT 1``
through the same Database (the ratio is the figure), and the token endpoint's refresh rotation.
"""
from __future__ import annotations

import asyncio
import statistics
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable
from pathlib import Path

import httpx
from sqlalchemy import text

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from domain.persistence import migrate  # noqa: E402
from domain.core.settings import Settings  # noqa: E402
from oauth import bearer  # noqa: E402
from tests.oauth import flow  # noqa: E402


def _report(name: str, samples: list[float], wall: float, baseline: float | None = None) -> float:
    samples.sort()
    p50 = statistics.median(samples) * 1000
    p99 = samples[int(len(samples) * 0.99) - 1] * 1000
    rate = len(samples) / wall
    ratio = f"  ratio {rate / baseline:5.2f}" if baseline else ""
    print(f"{name:<28} n={len(samples):>5}  p50={p50:6.2f} ms  p99={p99:6.2f} ms  {rate:8.0f}/s{ratio}")
    return rate


async def _timed(call: Callable[[], Awaitable[object]], n: int, width: int) -> tuple[list[float], float]:
    async def one() -> float:
        t = time.perf_counter()
        await call()
        return time.perf_counter() - t

    start = time.perf_counter()
    samples: list[float] = []
    for _ in range(max(1, n // width)):
        samples += await asyncio.gather(*[one() for _ in range(width)])
    return samples, time.perf_counter() - start


async def main(url: str, n: int) -> None:
    from server.app import create_app

    migrate.upgrade(url)
    settings = Settings(database_url=url, base_url="http://127.0.0.1:8000", run_worker=False,
                        secret_key="bench", rate_limit_per_minute=10**9)
    app = create_app(settings, run_migrations=False)
    async with app.router.lifespan_context(app):
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://127.0.0.1:8000") as http:
            client = await flow.register(http)
            v = flow.verifier()
            code = await flow.get_code(http, client, v)
            tokens = (await flow.exchange(http, client, code, v)).json()
            header = f"Bearer {tokens['access_token']}"
            db = app.state.db

            async def select_one() -> None:  # baseline: one indexed read through the same Database
                async with db.read() as session:
                    await session.execute(text("SELECT 1"))

            for width in (1, 8, 32):
                base = _report(f"baseline SELECT 1, {width} conc.", *await _timed(select_one, n, width))
                _report(f"verify, {width} concurrent", *await _timed(
                    lambda: bearer.verify(db, header, settings), n, width), baseline=base)

            refresh = tokens["refresh_token"]
            rot: list[float] = []
            start = time.perf_counter()
            for _ in range(max(10, n // 20)):
                t = time.perf_counter()
                answer = (await flow.refresh(http, client, refresh)).json()
                rot.append(time.perf_counter() - t)
                refresh = answer["refresh_token"]
            _report("refresh rotation (HTTP)", rot, time.perf_counter() - start)


if __name__ == "__main__":
    default = f"sqlite+aiosqlite:///{tempfile.mkdtemp()}/bench.db"
    asyncio.run(main(sys.argv[1] if len(sys.argv) > 1 else default, int(sys.argv[2]) if len(sys.argv) > 2 else 2000))
