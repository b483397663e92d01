"""Run a real MCP client (a Node script or CLI from node_modules) against a served PieterPost,
with the person's browser step scripted.

The client starts its OAuth flow; when it shows the authorization URL (on stdout or stderr,
as it would for a person), ``Browser.authorize`` follows it through sign-up and consent to the
redirect back to the client. That redirect goes to the client the way its callback would get
it: a GET to its own loopback listener (``deliver="callback"``: Inspector, mcp-remote) or one
line on its stdin (``deliver="stdin"``: the scripts in this folder, whose ``lib.mjs`` waits
for it). Every run is bounded by ``timeout``; a client that hangs is killed and fails.
"""
from __future__ import annotations

import asyncio
import json
import os
import re
import shutil
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx

from tests.support.mcp_oauth import Browser
from tests.support.servers import ROOT
from tests.support.system import require_system_part

HERE = Path(__file__).resolve().parent
NODE_MODULES = ROOT / "node_modules"
BIN = NODE_MODULES / ".bin"
AUTHORIZE_URL = re.compile(r"(https?://127\.0\.0\.1:\d+/mcp/oauth/authorize\?[^\s\"'<>\x1b]+)")
ANSI = re.compile(r"\x1b\[[0-9;]*[A-Za-z]|\x1b\]8;;[^\x1b]*\x1b\\")  # colours, OSC 8 link wrappers
URL_FORMS = ("/mcp", "/mcp/")  # what people paste: both must connect


def require_node_package(package: str) -> None:
    """Skip (fail under CI strict mode) when node or the pinned package is not installed."""
    require_system_part("node", shutil.which("node") is not None, "install Debian's nodejs")
    require_system_part(package, (NODE_MODULES / package / "package.json").exists(),
                        "run `npm ci` in the repository root (package.json pins it)")


def node_env(home: Path, **extra: str) -> dict[str, str]:
    """A clean environment: node_modules/.bin on PATH, HOME in a temp dir (clients keep their
    token stores there), no proxy settings, nothing that would open a real browser."""
    env = {k: v for k, v in os.environ.items() if not k.lower().endswith("_proxy") and not k.startswith("PIETERPOST_")}
    env.update({"PATH": f"{BIN}{os.pathsep}{env.get('PATH', '')}", "HOME": str(home), "NO_COLOR": "1",
                "BROWSER": "true", "NODE_NO_WARNINGS": "1"})
    env.update(extra)
    return env


@dataclass
class Outcome:
    returncode: int
    stdout: str
    stderr: str
    authorized: list[str] = field(default_factory=list)  # authorization URLs the person followed

    @property
    def result(self) -> Any:
        """The ``{"result": …}`` line a script in this folder prints last."""
        for line in reversed(self.stdout.splitlines()):
            if line.startswith('{"result"'):
                return json.loads(line)["result"]
        raise AssertionError(f"client printed no result (rc={self.returncode})\n{self.tail()}")

    def tail(self) -> str:
        return f"--- stdout\n{self.stdout[-3000:]}\n--- stderr\n{self.stderr[-3000:]}"


class Client:
    """One client process with the person standing by."""

    def __init__(self, argv: list[str], env: dict[str, str], person: Browser, *, redirect_prefix: str,
                 deliver: str = "stdin", cwd: Path = HERE) -> None:
        self.argv, self.env, self.person, self.cwd = argv, env, person, cwd
        self.redirect_prefix, self.deliver = redirect_prefix, deliver
        self.stdout: list[str] = []
        self.stderr: list[str] = []
        self.authorized: list[str] = []
        self.proc: asyncio.subprocess.Process | None = None
        self._tasks: list[asyncio.Task[None]] = []
        self.on_stdout: Callable[[str], Awaitable[None]] | None = None

    async def start(self) -> None:
        self.proc = await asyncio.create_subprocess_exec(
            *self.argv, cwd=self.cwd, env=self.env, stdin=asyncio.subprocess.PIPE,
            stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE, limit=16 * 1024 * 1024)
        assert self.proc.stdout and self.proc.stderr
        self._tasks = [asyncio.create_task(self._read(self.proc.stdout, self.stdout, self.on_stdout)),
                       asyncio.create_task(self._read(self.proc.stderr, self.stderr, None))]

    async def _read(self, stream: asyncio.StreamReader, sink: list[str],
                    hook: Callable[[str], Awaitable[None]] | None) -> None:
        while line := await stream.readline():
            text = ANSI.sub("", line.decode("utf-8", "replace"))
            sink.append(text)
            match = AUTHORIZE_URL.search(text)
            if match and match.group(1) not in self.authorized:
                self.authorized.append(match.group(1))
                await self._authorize(match.group(1))
            elif hook is not None:
                await hook(text)

    async def _authorize(self, url: str) -> None:
        location = await self.person.authorize(url, self.redirect_prefix)
        if self.deliver == "callback":  # the client's own loopback listener takes the redirect
            async with httpx.AsyncClient(timeout=30, trust_env=False) as http:
                answer = await http.get(location)
            assert answer.status_code < 400, f"client callback answered {answer.status_code}: {answer.text[:200]}"
        else:
            assert self.proc and self.proc.stdin
            self.proc.stdin.write(location.encode() + b"\n")
            await self.proc.stdin.drain()

    def send(self, message: dict[str, Any]) -> None:
        assert self.proc and self.proc.stdin
        self.proc.stdin.write(json.dumps(message).encode() + b"\n")

    async def wait(self, timeout: float) -> Outcome:
        assert self.proc
        try:
            await asyncio.wait_for(self.proc.wait(), timeout)
        except TimeoutError:
            await self.stop()
            raise AssertionError(f"{self.argv[:3]} did not finish in {timeout:.0f} s\n{self.outcome().tail()}") from None
        await asyncio.gather(*self._tasks)
        return self.outcome()

    async def stop(self) -> None:
        if self.proc and self.proc.returncode is None:
            self.proc.terminate()
            try:
                await asyncio.wait_for(self.proc.wait(), 10)
            except TimeoutError:
                self.proc.kill()
                await self.proc.wait()
        for task in self._tasks:
            task.cancel()

    def outcome(self) -> Outcome:
        return Outcome(self.proc.returncode if self.proc and self.proc.returncode is not None else -1,
                       "".join(self.stdout), "".join(self.stderr), list(self.authorized))


async def run(argv: list[str], env: dict[str, str], person: Browser, *, redirect_prefix: str,
              deliver: str = "stdin", timeout: float = 90) -> Outcome:
    client = Client(argv, env, person, redirect_prefix=redirect_prefix, deliver=deliver)
    await client.start()
    assert client.proc and client.proc.stdin
    if deliver == "callback":
        client.proc.stdin.close()  # CLIs must not wait for a person at the keyboard
    return await client.wait(timeout)
