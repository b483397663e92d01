"""Revocation reaches every process at once, although verified credentials are cached.

Two ``pieterpost serve`` processes on one database, with a credential cache TTL of five
minutes, so only the revocation notice (PostgreSQL NOTIFY; on SQLite the signal file beside the
database) can explain a refusal on the other process within a second. A revoked API key and a revoked OAuth access token are each refused by
the very next request on the process that revoked them and within one second on the other.
"""
from __future__ import annotations

import asyncio
import json
import time
import uuid
from pathlib import Path
from typing import Any

import httpx

from oauth.pkce import s256_challenge
from tests.oauth import flow
from tests.support.servers import cli_env, free_port, run_cli, running_server

MCP_HEADERS = {"Accept": "application/json, text/event-stream", "Content-Type": "application/json",
               "MCP-Protocol-Version": "2025-11-25"}


async def _connect(web: httpx.AsyncClient, base: str, public: str, email: str) -> tuple[str, str]:
    """The OAuth flow on one process; returns (client_id, access_token)."""
    registered = await web.post(f"{base}/mcp/oauth/register", json={
        "client_name": "Revocation agent", "redirect_uris": [flow.REDIRECT], "token_endpoint_auth_method": "none"})
    client_id = registered.json()["client_id"]
    v = flow.verifier()
    params = {"response_type": "code", "client_id": client_id, "redirect_uri": flow.REDIRECT, "state": "s",
              "code_challenge": s256_challenge(v), "code_challenge_method": "S256", "scope": "api:read api:keys",
              "resource": f"{public}/mcp/"}
    start = await web.get(f"{base}/mcp/oauth/authorize", params=params)
    login = await web.get(base + start.headers["location"])
    signup_href = login.text.split('id="signup-link" href="', 1)[1].split('"', 1)[0].replace("&amp;", "&")
    signup = await web.get(base + signup_href)
    action, hidden = flow.form_fields(signup.text, "signup-form")
    done = await web.post(base + action, data={**hidden, "email": email, "password": "a long password"})
    consent = await web.get(base + done.headers["location"])
    action, hidden = flow.form_fields(consent.text, "consent-form")
    query = flow.redirect_query(await web.post(base + action, data={**hidden, "decision": "approve"}))
    token = await web.post(f"{base}/mcp/oauth/token", data={
        "grant_type": "authorization_code", "code": query["code"], "redirect_uri": flow.REDIRECT,
        "client_id": client_id, "code_verifier": v})
    assert token.status_code == 200, token.text
    return client_id, token.json()["access_token"]


async def _tool(web: httpx.AsyncClient, base: str, token: str, name: str, arguments: dict[str, Any]) -> httpx.Response:
    body = {"jsonrpc": "2.0", "id": 1, "method": "tools/call", "params": {"name": name, "arguments": arguments}}
    return await web.post(f"{base}/mcp/", content=json.dumps(body),
                          headers={**MCP_HEADERS, "Authorization": f"Bearer {token}"})


def _served(response: httpx.Response) -> bool:
    return response.status_code == 200 and not response.json()["result"]["isError"]


async def _refused_within(seconds: float, attempt: Any) -> float:
    """Retry ``attempt`` until it is refused (401); returns how long that took."""
    started = time.monotonic()
    while True:
        response = await attempt()
        elapsed = time.monotonic() - started
        if response.status_code == 401:
            return elapsed
        assert response.status_code == 200, response.text
        assert elapsed < seconds, f"still served {elapsed:.2f} s after the revocation"
        await asyncio.sleep(0.02)


async def test_revoked_key_and_token_are_refused_on_both_processes(database_url: str, asset_dir: Path) -> None:
    port_a, port_b = free_port(), free_port()
    public = f"http://127.0.0.1:{port_a}"
    env = cli_env(database_url, asset_dir, PIETERPOST_BASE_URL=public, PIETERPOST_RUN_WORKER="false",
                  PIETERPOST_AUTH_CACHE_SECONDS="300", PIETERPOST_RATE_LIMIT_PER_MINUTE="100000")
    email = f"revoke-{uuid.uuid4().hex[:8]}@example.com"
    with running_server(env, port_a) as a, running_server(env, port_b) as b:
        async with httpx.AsyncClient(timeout=30) as web:
            client_id, token = await _connect(web, a, public, email)
            made = run_cli(["keys", "create", "--email", email, "--mode", "test", "--json"], env)
            assert made.returncode == 0, made.stderr
            key = json.loads(made.stdout)
            key_auth = {"Authorization": f"Bearer {key['secret']}"}

            for base in (a, b):  # both processes verify and cache the key and the token
                for _ in range(2):
                    assert (await web.get(f"{base}/v1/wallet", headers=key_auth)).status_code == 200
                    assert _served(await _tool(web, base, token, "get_wallet", {}))

            revoked = await _tool(web, a, token, "revoke_api_key", {"keyId": key["id"]})
            assert _served(revoked), revoked.text
            on_a = await web.get(f"{a}/v1/wallet", headers=key_auth)
            assert on_a.status_code == 401 and on_a.json()["code"] == "api_key_inactive"
            await _refused_within(1.0, lambda: web.get(f"{b}/v1/wallet", headers=key_auth))
            assert (await web.get(f"{b}/v1/wallet", headers=key_auth)).json()["code"] == "api_key_inactive"

            answer = await web.post(f"{a}/mcp/oauth/revoke", data={"token": token, "client_id": client_id})
            assert answer.status_code == 200
            on_a = await _tool(web, a, token, "get_wallet", {})
            assert on_a.status_code == 401 and 'error="invalid_token"' in on_a.headers["www-authenticate"]
            await _refused_within(1.0, lambda: _tool(web, b, token, "get_wallet", {}))
