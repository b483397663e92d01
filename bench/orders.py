"""Direct-send orders over real HTTP: orders/s and p50/p99 latency at 1, 8 and 32 clients,
on SQLite and PostgreSQL, beside a bare Starlette JSON endpoint on the same uvicorn settings.

    python bench/orders.py [--requests 400] [--postgres postgresql://postgres@127.0.0.1:5432/test]

The ratio column is the figure to watch: our endpoint's throughput over the bare endpoint's.
"""
from __future__ import annotations

import argparse
import asyncio
import json
import subprocess
import sys
import tempfile
import uuid
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from bench.common import ROOT, Figures, drive, table, uvicorn_server  # noqa: E402
from tests.api.payloads import DIRECT_LETTER  # noqa: E402

LEVELS = (1, 8, 32)
SERVE = ["-m", "uvicorn", "--factory", "server.app:app_factory", "--port", "{port}", "--log-level", "warning"]
BARE = ["-m", "uvicorn", "bench.bare_app:app", "--port", "{port}", "--log-level", "warning"]


def _cli(args: list[str], env: dict[str, str]) -> dict:
    out = subprocess.run([sys.executable, "-m", "server", *args, "--json"], env=env, cwd=ROOT,
                         capture_output=True, text=True, check=True)
    return json.loads(out.stdout)


def _prepare(env: dict[str, str], requests: int) -> str:
    email = f"bench-{uuid.uuid4().hex[:8]}@example.com"
    _cli(["accounts", "create", "--email", email], env)
    key = _cli(["keys", "create", "--email", email, "--mode", "test"], env)["secret"]
    for _ in range((requests * len(LEVELS) * 200) // 100_000 + 1):
        _cli(["wallet", "topup", "--email", email, "--amount-cents", "100000"], env)
    return key


async def _orders(base: str, key: str, requests: int) -> dict[int, Figures]:
    headers = {"Authorization": f"Bearer {key}"}

    async def call(http: httpx.AsyncClient, i: int) -> bool:
        r = await http.post(f"{base}/v1/orders", json=DIRECT_LETTER, headers=headers)
        return r.status_code == 200

    await drive(call, 4, 20)  # warm-up
    return {level: await drive(call, level, requests) for level in LEVELS}


async def _bare(base: str, requests: int) -> dict[int, Figures]:
    async def call(http: httpx.AsyncClient, i: int) -> bool:
        return (await http.post(f"{base}/echo", json=DIRECT_LETTER)).status_code == 200

    await drive(call, 4, 20)
    return {level: await drive(call, level, requests) for level in LEVELS}


def _env(database_url: str, assets: Path) -> dict[str, str]:
    import os

    env = {k: v for k, v in os.environ.items() if not k.startswith("PIETERPOST_")}
    env.update({"PIETERPOST_DATABASE_URL": database_url, "PIETERPOST_ASSET_DIR": str(assets),
                "PIETERPOST_RATE_LIMIT_PER_MINUTE": "10000000", "PIETERPOST_RATE_LIMIT_IP_PER_MINUTE": "10000000",
                "PIETERPOST_DAILY_ORDER_CAP": "10000000", "PIETERPOST_LOG_LEVEL": "WARNING",
                "PIETERPOST_RUN_WORKER": "false", "PYTHONPATH": str(ROOT)})
    return env


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--requests", type=int, default=400)
    parser.add_argument("--postgres", default="postgresql://postgres@127.0.0.1:5432/test")
    args = parser.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="pp-bench-"))
    with uvicorn_server(BARE, {}) as bare:
        baseline = asyncio.run(_bare(bare, args.requests))
    backends = {"sqlite": f"sqlite+aiosqlite:///{tmp}/bench.db"}
    if args.postgres:
        backends["postgresql"] = args.postgres
    rows = []
    for level in LEVELS:
        b = baseline[level]
        rows.append(["bare starlette", level, f"{b.rate:.0f}", f"{b.pct(0.5):.1f}", f"{b.pct(0.99):.1f}", "1.00",
                     b.errors])
    for name, url in backends.items():
        env = _env(url, tmp / "assets")
        key = _prepare(env, args.requests)
        with uvicorn_server(SERVE, env) as base:
            figures = asyncio.run(_orders(base, key, args.requests))
        for level in LEVELS:
            f, b = figures[level], baseline[level]
            rows.append([f"orders ({name})", level, f"{f.rate:.0f}", f"{f.pct(0.5):.1f}", f"{f.pct(0.99):.1f}",
                         f"{f.rate / b.rate:.3f}", f.errors])
    print(f"POST /v1/orders (direct letter, test mode), {args.requests} requests per level")
    print(table(rows, ["endpoint", "clients", "req/s", "p50 ms", "p99 ms", "ratio", "errors"]))


if __name__ == "__main__":
    main()
