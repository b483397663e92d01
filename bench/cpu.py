"""Server CPU per request, read from /proc, for PieterPost's hot requests beside two bare peers.

Starts each server as its own process and reads its CPU time (utime + stime in /proc/PID/stat)
before and after a fixed load, so the figure is what the server spends, not the load generator:

- peers: the mcp SDK's low-level server with one ``echo`` tool (stateless, JSON responses,
  bench/mcp_bare.py) and a bare Starlette JSON endpoint (bench/bare_app.py), both under uvicorn;
- ``pieterpost serve``: MCP ``get_wallet``, MCP ``quote_order`` (1 letter), MCP
  ``create_direct_order`` (test mode, a new idempotency key each call) and REST
  ``POST /v1/orders`` (test mode, a new ``Idempotency-Key`` each call).

    python bench/cpu.py [--requests 400] [--levels 8,32]
                        [--postgres postgresql://postgres@127.0.0.1:5432/test] [--redis redis://127.0.0.1:6379/0]

On SQLite always; on PostgreSQL with ``--postgres`` (a database of its own is created and
dropped); ``--redis`` adds one more run of the last database with ``PIETERPOST_REDIS_URL`` set
(keys under a prefix of their own). The ratio is peer CPU ÷ ours (higher is better; MCP rows
against the echo server, the REST row against the Starlette endpoint); the goal column is the
target of issue 12.

The peers keep running beside PieterPost, and every row is measured in ``--rounds`` alternating
rounds (peer, ours, peer, ours, ...): CPU per request is the total of the rounds, so both sides of
a ratio were measured in the same minutes. On a shared machine load drifts; measured minutes
apart, the same ratio moved by a third between runs.
"""
from __future__ import annotations

import sys
from pathlib import Path

# bench/mcp_calls.py explains why: keep the SDK package importable as ``mcp``.
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import argparse  # noqa: E402
import asyncio  # noqa: E402
import json  # noqa: E402
import os  # noqa: E402
import subprocess  # noqa: E402
import tempfile  # noqa: E402
import time  # noqa: E402
import uuid  # noqa: E402
from collections.abc import Awaitable, Callable, Iterator  # noqa: E402
from contextlib import contextmanager  # noqa: E402
from dataclasses import dataclass  # noqa: E402
from typing import Any  # noqa: E402

import httpx  # noqa: E402

from bench.common import ROOT, Figures, drive, table  # noqa: E402
from tests.api.payloads import DIRECT_LETTER  # noqa: E402
from tests.support.servers import free_port  # noqa: E402

CLK_TCK = os.sysconf("SC_CLK_TCK")
PROTOCOL = "2025-11-25"
RECIPIENT = {"name": "Pieter Example", "streetAddress": "Damrak 1", "postalCode": "1012 AB", "city": "Amsterdam",
             "country": "NL"}
ONE_LETTER = {"requestType": "letter", "letters": [{"message": "Hello from the benchmark.", "recipient": RECIPIENT}]}
GOALS = {"get_wallet": 0.45, "quote_order": 0.45, "create_direct_order": 0.15, "POST /v1/orders": 0.05}


def cpu_seconds(pid: int) -> float:
    """utime + stime of one process (fields 14 and 15 of /proc/PID/stat), in seconds."""
    raw = Path(f"/proc/{pid}/stat").read_text()
    fields = raw[raw.rindex(")") + 2:].split()  # the command name may contain spaces
    return (int(fields[11]) + int(fields[12])) / CLK_TCK


@dataclass
class Served:
    base: str
    pid: int


@contextmanager
def serve(args: list[str], env: dict[str, str], health: str) -> Iterator[Served]:
    """``python <args>`` on a free port; waits until ``health`` answers."""
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    full_env = {**env, "PYTHONPATH": str(ROOT), "PIETERPOST_BASE_URL": base}
    cmd = [sys.executable, *[a.replace("{port}", str(port)) for a in args]]
    proc = subprocess.Popen(cmd, env=full_env, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 60
        while True:
            if proc.poll() is not None:
                raise RuntimeError(f"{cmd} exited with {proc.returncode}")
            try:
                httpx.get(base + health, timeout=1)
                break
            except httpx.HTTPError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.1)
        yield Served(base, proc.pid)
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()


def rss_mib(pid: int) -> float:
    """Resident memory of one process now (VmRSS in /proc/PID/status), in MiB."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


@dataclass
class Row:
    figures: Figures
    cpu_ms: float
    rss_mib: float = float("nan")


Call = Callable[[httpx.AsyncClient, int], Awaitable[bool]]


async def measure(pid: int, call: Call, level: int, requests: int) -> Row:
    """Warm up, then ``requests`` calls at ``level`` concurrent clients; the server's CPU per call."""
    await drive(call, level, max(20, level * 2))
    before = cpu_seconds(pid)
    figures = await drive(call, level, requests)
    used = cpu_seconds(pid) - before
    return Row(figures, used * 1000 / requests, rss_mib(pid))


def combined(rows: list[Row]) -> Row:
    """Rounds of one row as one: CPU and requests summed, latencies pooled."""
    figures = Figures(sum(r.figures.requests for r in rows), sum(r.figures.seconds for r in rows),
                      [lat for r in rows for lat in r.figures.latencies], sum(r.figures.errors for r in rows))
    return Row(figures, sum(r.cpu_ms * r.figures.requests for r in rows) / figures.requests, rows[-1].rss_mib)


@dataclass
class Peer:
    pid: int
    call: Call


def alternate(ours: tuple[int, Call], peer: Peer, level: int, requests: int, rounds: int) -> tuple[Row, Row]:
    """(ours, peer) for one row, measured in alternating rounds of ``requests`` each."""
    mine: list[Row] = []
    theirs: list[Row] = []
    for r in range(rounds):
        shifted: Call = lambda http, i, r=r: ours[1](http, i + r * 100_000)  # noqa: E731  fresh keys per round
        theirs.append(asyncio.run(measure(peer.pid, peer.call, level, requests)))
        mine.append(asyncio.run(measure(ours[0], shifted, level, requests)))
    return combined(mine), combined(theirs)


def mcp_call(base: str, token: str | None, tool: str, arguments: Callable[[int], dict[str, Any]]) -> Call:
    """One raw JSON-RPC ``tools/call`` POST (stateless Streamable HTTP needs no session)."""
    headers = {"Accept": "application/json, text/event-stream", "Content-Type": "application/json",
               "MCP-Protocol-Version": PROTOCOL}
    if token:
        headers["Authorization"] = f"Bearer {token}"

    async def call(http: httpx.AsyncClient, i: int) -> bool:
        body = {"jsonrpc": "2.0", "id": i, "method": "tools/call", "params": {"name": tool, "arguments": arguments(i)}}
        r = await http.post(f"{base}/mcp/", content=json.dumps(body), headers=headers)
        if r.status_code != 200:
            return False
        result = r.json().get("result") or {}
        return not result.get("isError", True)

    return call


def rest_order_call(base: str, key: str, run: str) -> Call:
    async def call(http: httpx.AsyncClient, i: int) -> bool:
        headers = {"Authorization": f"Bearer {key}", "Idempotency-Key": f"{run}-rest-{i}"}
        return (await http.post(f"{base}/v1/orders", json=DIRECT_LETTER, headers=headers)).status_code == 200

    return call


def starlette_call(base: str) -> Call:
    async def call(http: httpx.AsyncClient, i: int) -> bool:
        return (await http.post(f"{base}/echo", json=DIRECT_LETTER)).status_code == 200

    return call


# --- PieterPost setup ----------------------------------------------------------------------------

def base_env(database_url: str, assets: Path, redis_url: str | None, gc: int | None = None) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("PIETERPOST_")}
    env.update({"PIETERPOST_DATABASE_URL": database_url, "PIETERPOST_ASSET_DIR": str(assets),
                "PIETERPOST_SECRET_KEY": "bench-secret-key-not-for-production",
                "PIETERPOST_RATE_LIMIT_PER_MINUTE": "10000000", "PIETERPOST_RATE_LIMIT_IP_PER_MINUTE": "10000000",
                "PIETERPOST_DAILY_ORDER_CAP": "10000000", "PIETERPOST_LOG_LEVEL": "WARNING",
                "PIETERPOST_RUN_WORKER": "false", "PYTHONPATH": str(ROOT)})
    if gc is not None:
        env["PIETERPOST_GC_GEN0_THRESHOLD"] = str(gc)
    if redis_url:
        env["PIETERPOST_REDIS_URL"] = redis_url
        env["PIETERPOST_REDIS_PREFIX"] = f"ppbench:{uuid.uuid4().hex[:8]}:"
    return env


def cli(args: list[str], env: dict[str, str]) -> dict[str, Any]:
    out = subprocess.run([sys.executable, "-m", "server", *args, "--json"], env=env, cwd=ROOT,
                         capture_output=True, text=True, check=True)
    return json.loads(out.stdout)


def fund(env: dict[str, str], email: str, cents: int) -> None:
    for _ in range(cents // 100_000 + 1):
        cli(["wallet", "topup", "--email", email, "--mode", "test", "--amount-cents", "100000"], env)


async def sign_in(base: str) -> tuple[str, str]:
    """One real OAuth connect (signs a new person up); returns (access token, their email)."""
    from tests.support.mcp_client import open_session
    from tests.support.mcp_oauth import Browser, oauth_http_client, oauth_provider

    browser = Browser()
    provider = oauth_provider(f"{base}/mcp/", browser)
    async with oauth_http_client(provider) as http, open_session(f"{base}/mcp/", http_client=http) as session:
        await session.list_tools()
    assert provider.context.current_tokens is not None
    return provider.context.current_tokens.access_token, browser.email


@contextmanager
def database(kind: str, tmp: Path, pg_url: str) -> Iterator[str]:
    if kind == "sqlite":
        yield f"sqlite+aiosqlite:///{tmp}/bench-{uuid.uuid4().hex[:6]}.db"
        return
    from tests.conftest import _create_pg_database, _drop_pg_database

    from sqlalchemy.engine import make_url

    url, name = _create_pg_database(pg_url)
    try:  # a plain postgresql:// URL, as an operator writes it: the service picks asyncpg
        yield make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)
    finally:
        _drop_pg_database(pg_url, name)


SERVE = ["-m", "server", "serve", "--port", "{port}"]


def run_pieterpost(kind: str, pg_url: str, redis_url: str | None, tmp: Path, levels: list[int],
                   requests: int, peers: dict[str, Peer], rounds: int,
                   only: list[str], gc: int | None = None) -> dict[tuple[str, int], tuple[Row, Row]]:
    run = uuid.uuid4().hex[:8]
    with database(kind, tmp, pg_url) as url:
        env = base_env(url, tmp / "assets", redis_url, gc)
        cli(["migrate"], env)
        email = f"bench-{run}@example.com"
        cli(["accounts", "create", "--email", email], env)
        key = cli(["keys", "create", "--email", email, "--mode", "test"], env)["secret"]
        orders = (requests + max(levels) * 2) * len(levels) * rounds + 200
        fund(env, email, orders * 300)
        out: dict[tuple[str, int], tuple[Row, Row]] = {}
        with serve(SERVE, env, "/healthz") as server:
            token, mcp_email = asyncio.run(sign_in(server.base))
            fund(env, mcp_email, orders * 300)
            calls: dict[str, Call] = {
                "get_wallet": mcp_call(server.base, token, "get_wallet", lambda i: {}),
                "quote_order": mcp_call(server.base, token, "quote_order", lambda i: ONE_LETTER),
                "create_direct_order": mcp_call(server.base, token, "create_direct_order",
                                                lambda i: {**ONE_LETTER, "idempotencyKey": f"{run}-mcp-{i}"}),
                "POST /v1/orders": rest_order_call(server.base, key, run),
            }
            for name, call in calls.items():
                if only and name not in only:
                    continue
                peer = peers["starlette" if name.startswith("POST") else "echo"]
                for level in levels:
                    offset = len(out) * 10_000_000  # fresh idempotency keys for every level
                    shifted: Call = lambda http, i, call=call, offset=offset: call(http, i + offset)  # noqa: E731
                    out[(name, level)] = alternate((server.pid, shifted), peer, level, requests, rounds)
    return out


@contextmanager
def running_peers(peer_gc: int) -> Iterator[dict[str, Peer]]:
    """Both bare peers, up for the whole run; ``peer_gc`` > 0 settles their collector as ours."""
    env = dict(os.environ)
    if peer_gc > 0:
        env["BENCH_PEER_GC"] = str(peer_gc)
    # the HTTP stack `pieterpost serve` runs (server.cli.uvicorn_options): h11, uvicorn's auto loop
    same = ["--http", "h11", "--log-level", "warning"]
    mcp_bare = ["-m", "uvicorn", "--factory", "bench.mcp_bare:app_factory", "--port", "{port}", *same]
    starlette = ["-m", "uvicorn", "bench.bare_app:app", "--port", "{port}", *same]
    with serve(mcp_bare, env, "/") as echo, serve(starlette, env, "/") as bare:
        yield {"echo": Peer(echo.pid, mcp_call(echo.base, None, "echo", lambda i: {"x": i})),
               "starlette": Peer(bare.pid, starlette_call(bare.base))}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--requests", type=int, default=400, help="measured requests per round")
    parser.add_argument("--rounds", type=int, default=3, help="alternating peer/ours rounds per row")
    parser.add_argument("--levels", default="8,32", help="concurrent clients, comma-separated")
    parser.add_argument("--postgres", default="", help="also run on PostgreSQL (a database of its own is made)")
    parser.add_argument("--redis", default="", help="one more run of the last database with this Redis URL")
    parser.add_argument("--only", action="append", default=[], choices=list(GOALS), help="measure only this row")
    parser.add_argument("--gc", type=int, default=None,
                        help="PIETERPOST_GC_GEN0_THRESHOLD for ours (0: CPython's collector as it comes)")
    parser.add_argument("--peer-gc", type=int, default=0,
                        help="settle the peers' collector as ours with this threshold (server.gc_policy)")
    args = parser.parse_args()
    levels = [int(x) for x in args.levels.split(",")]
    tmp = Path(tempfile.mkdtemp(prefix="pp-bench-cpu-"))
    runs = [("sqlite", None)] + ([("postgresql", None)] if args.postgres else [])
    if args.redis:
        runs.append((runs[-1][0], args.redis))
    rows = []
    with running_peers(args.peer_gc) as peers:
        for kind, redis_url in runs:
            label = kind + (" + redis" if redis_url else "")
            figures = run_pieterpost(kind, args.postgres, redis_url, tmp, levels, args.requests, peers, args.rounds,
                                     args.only, args.gc)
            for (name, level), (row, peer) in figures.items():
                peer_name = "starlette" if name.startswith("POST") else "echo"
                ratio = peer.cpu_ms / row.cpu_ms if row.cpu_ms else float("nan")
                rows.append([name, label, level, f"{row.cpu_ms:.2f}", f"{peer_name} {peer.cpu_ms:.2f}", f"{ratio:.3f}",
                             f"≥ {GOALS[name]:.2f}", f"{row.figures.rate:.0f}", f"{row.figures.pct(0.5):.1f}",
                             f"{row.figures.pct(0.99):.1f}", f"{row.figures.errors} / {peer.figures.errors}",
                             f"{row.rss_mib:.0f} / {peer.rss_mib:.0f}"])
            print(f"({label} done)", rows[-len(figures):], flush=True)  # kept if a later database fails
    gc_note = "ours: " + (f"GC threshold {args.gc}" if args.gc is not None else "GC as configured") + \
        "; peers: " + (f"GC settled at {args.peer_gc}" if args.peer_gc else "CPython's GC as it comes")
    print(f"Server CPU per request from /proc/PID/stat (utime+stime), {args.rounds} alternating rounds of "
          f"{args.requests} requests per row (peer beside ours); {gc_note}")
    print(table(rows, ["request", "database", "clients", "CPU ms/req", "peer CPU ms/req", "ratio", "goal",
                       "calls/s", "p50 ms", "p99 ms", "errors (ours / peer)", "RSS MiB (ours / peer)"]))


if __name__ == "__main__":
    main()
