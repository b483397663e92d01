"""Bearer verification cost (the per-call overhead OAuth adds to every MCP tools/call).

    python bench/oauth_verify.py [DATABASE_URL] [N]

Issues one real token through the token endpoint (in-process ASGI), then times
``oauth.bearer.verify`` N times sequentially and N times with 32 concurrent callers, and
the token endpoint's refresh rotation. Prints p50/p99 and throughput.
"""
from __future__ import annotations

import asyncio
import statistics
import sys
import tempfile
import time
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from domain import migrate  # noqa: E402
from domain.settings import Settings  # noqa: E402
from oauth import bearer  # noqa: E402
from tests.oauth import flow  # noqa: E402


def _report(name: str, samples: list[float], wall: float) -> None:
    samples.sort()
    p50 = statistics.median(samples) * 1000
    p99 = samples[int(len(samples) * 0.99) - 1] * 1000
    print(f"{name:<28} n={len(samples):>5}  p50={p50:6.2f} ms  p99={p99:6.2f} ms  {len(samples) / wall:8.0f}/s")


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

            async def one() -> float:
                t = time.perf_counter()
                await bearer.verify(db, header, settings)
                return time.perf_counter() - t

            start = time.perf_counter()
            seq = [await one() for _ in range(n)]
            _report("verify, sequential", seq, time.perf_counter() - start)
            for width in (8, 32):
                start = time.perf_counter()
                con: list[float] = []
                for _ in range(max(1, n // width)):
                    con += await asyncio.gather(*[one() for _ in range(width)])
                _report(f"verify, {width} concurrent", con, time.perf_counter() - start)

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
