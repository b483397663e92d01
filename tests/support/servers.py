"""Run a real ``pieterpost serve`` in a subprocess on a free port, for over-the-wire tests."""
from __future__ import annotations

import os
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[2]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def cli_env(database_url: str, asset_dir: Path, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("PIETERPOST_")}
    env.update({
        "PIETERPOST_DATABASE_URL": database_url,
        "PIETERPOST_ASSET_DIR": str(asset_dir),
        "PIETERPOST_SECRET_KEY": "test-secret-key-not-for-production",
        "PYTHONPATH": str(ROOT),
    })
    env.update(extra)
    return env


def run_cli(args: list[str], env: dict[str, str], stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "server", *args], env=env, cwd=ROOT, input=stdin,
                          capture_output=True, text=True, timeout=120)


def wait_healthy(proc: subprocess.Popen[bytes], base: str, seconds: float, exited: Callable[[], str]) -> None:
    """Poll ``{base}/healthz`` until it answers 200; fail at once if ``proc`` exits, or after ``seconds``."""
    deadline = time.monotonic() + seconds
    while True:
        if proc.poll() is not None:
            raise RuntimeError(exited())
        try:
            if httpx.get(f"{base}/healthz", timeout=1).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        if time.monotonic() > deadline:
            raise RuntimeError(f"{base} did not become healthy in {seconds:g} s")
        time.sleep(0.1)


def stop(proc: subprocess.Popen[bytes]) -> None:
    """SIGTERM, then SIGKILL after 10 s."""
    proc.terminate()
    try:
        proc.wait(timeout=10)
    except subprocess.TimeoutExpired:
        proc.kill()


@contextmanager
def running_server(env: dict[str, str], port: int | None = None) -> Iterator[str]:
    port = port or free_port()
    base = f"http://127.0.0.1:{port}"
    env = {**env, "PIETERPOST_BASE_URL": env.get("PIETERPOST_BASE_URL", base)}
    # var/ (a developer's checkout) keeps the log; elsewhere a temporary file, so that a server that
    # fails to start says why in the test's error instead of only its exit code
    log = open(ROOT / "var" / f"server-{port}.log", "w+") if (ROOT / "var").exists() else tempfile.TemporaryFile("w+")
    proc = subprocess.Popen([sys.executable, "-m", "server", "serve", "--port", str(port)], env=env, cwd=ROOT,
                            stdout=log, stderr=log)

    def exited() -> str:
        log.flush()
        log.seek(0)
        return f"server exited with {proc.returncode}; its output ends:\n{log.read()[-4000:]}"

    try:
        wait_healthy(proc, base, 60, exited)
        yield base
    finally:
        stop(proc)
        log.close()
