"""Two ``pieterpost serve`` processes on one database behave as one authorization server.

Each step of one flow lands on the other process: nothing (codes, pending requests,
sessions, CSRF, throttles, refresh families) may live in a process.
"""
from __future__ import annotations

import httpx

from oauth.pkce import s256_challenge
from tests.oauth import flow
from tests.support import servers


async def test_flow_alternating_between_two_processes(database_url, asset_dir) -> None:
    port_a, port_b = servers.free_port(), servers.free_port()
    public = f"http://127.0.0.1:{port_a}"
    # no refresh grace window: a replay on the other process must count as reuse at once
    env = servers.cli_env(database_url, asset_dir, PIETERPOST_BASE_URL=public, PIETERPOST_OAUTH_REFRESH_GRACE_SECONDS="0")
    with servers.running_server(env, port_a) as a, servers.running_server(env, port_b) as b:
        async with httpx.AsyncClient(timeout=30) as web:
            registered = await web.post(f"{a}/mcp/oauth/register", json={
                "client_name": "Two-process agent", "redirect_uris": [flow.REDIRECT], "token_endpoint_auth_method": "none"})
            client_id = registered.json()["client_id"]
            v = flow.verifier()
            params = {"response_type": "code", "client_id": client_id, "redirect_uri": flow.REDIRECT, "state": "s1",
                      "code_challenge": s256_challenge(v), "code_challenge_method": "S256", "scope": "api:read",
                      "resource": f"{public}/mcp/"}
            start = await web.get(f"{b}/mcp/oauth/authorize", params=params)  # parked by B
            login = await web.get(a + start.headers["location"])  # shown by A
            signup_href = login.text.split('id="signup-link" href="', 1)[1].split('"', 1)[0].replace("&amp;", "&")
            signup = await web.get(b + signup_href)  # B
            action, hidden = flow.form_fields(signup.text, "signup-form")
            done = await web.post(a + action, data={**hidden, "email": flow.new_email(), "password": "a long password"})
            assert done.status_code == 303, done.text  # A accepts B's CSRF token and request handle
            consent = await web.get(b + done.headers["location"])  # B knows A's session
            action, hidden = flow.form_fields(consent.text, "consent-form")
            answer = await web.post(a + action, data={**hidden, "decision": "approve"})
            query = flow.redirect_query(answer)
            assert query["iss"] == f"{public}/mcp/oauth" and query["state"] == "s1"

            token = await web.post(f"{b}/mcp/oauth/token", data={
                "grant_type": "authorization_code", "code": query["code"], "redirect_uri": flow.REDIRECT,
                "client_id": client_id, "code_verifier": v})
            assert token.status_code == 200, token.text
            old = token.json()

            async def refresh(base: str, refresh_token: str) -> httpx.Response:
                return await web.post(f"{base}/mcp/oauth/token", data={
                    "grant_type": "refresh_token", "refresh_token": refresh_token, "client_id": client_id})

            rotated = await refresh(a, old["refresh_token"])
            assert rotated.status_code == 200, rotated.text
            replay = await refresh(b, old["refresh_token"])  # B sees A's rotation: reuse, family revoked
            assert replay.json()["error"] == "invalid_grant"
            assert (await refresh(a, rotated.json()["refresh_token"])).json()["error"] == "invalid_grant"
            reused = await web.post(f"{a}/mcp/oauth/token", data={
                "grant_type": "authorization_code", "code": query["code"], "redirect_uri": flow.REDIRECT,
                "client_id": client_id, "code_verifier": v})
            assert reused.json()["error"] == "invalid_grant"  # A saw B redeem the code


async def test_racing_refreshes_on_two_processes_both_keep_working(database_url, asset_dir) -> None:
    """Two client processes sharing one token store refresh at the same moment, each through a
    different server process: both get working tokens and the family survives (grace window)."""
    import asyncio
    from urllib.parse import parse_qs, urlsplit

    from tests.support.mcp_oauth import Browser

    port_a, port_b = servers.free_port(), servers.free_port()
    public = f"http://127.0.0.1:{port_a}"
    env = servers.cli_env(database_url, asset_dir, PIETERPOST_BASE_URL=public)
    with servers.running_server(env, port_a) as a, servers.running_server(env, port_b) as b:
        person = Browser()
        async with httpx.AsyncClient(timeout=30) as web, person.http:
            client_id = (await web.post(f"{a}/mcp/oauth/register", json={
                "client_name": "Shared token store", "redirect_uris": [flow.REDIRECT],
                "token_endpoint_auth_method": "none"})).json()["client_id"]
            v = flow.verifier()
            query = httpx.QueryParams({"response_type": "code", "client_id": client_id, "redirect_uri": flow.REDIRECT,
                                       "code_challenge": s256_challenge(v), "code_challenge_method": "S256",
                                       "state": "s", "resource": f"{public}/mcp/"})
            location = await person.authorize(f"{a}/mcp/oauth/authorize?{query}", flow.REDIRECT)
            tokens = (await web.post(f"{a}/mcp/oauth/token", data={
                "grant_type": "authorization_code", "code": parse_qs(urlsplit(location).query)["code"][0],
                "redirect_uri": flow.REDIRECT, "client_id": client_id, "code_verifier": v})).json()

            async def refresh(base: str, refresh_token: str) -> httpx.Response:
                async with httpx.AsyncClient(timeout=30) as own:  # a separate client process
                    return await own.post(f"{base}/mcp/oauth/token", data={
                        "grant_type": "refresh_token", "refresh_token": refresh_token, "client_id": client_id})

            answers = await asyncio.gather(*(refresh(base, tokens["refresh_token"]) for base in (a, b, a, b)))
            assert [r.status_code for r in answers] == [200] * 4, [r.text for r in answers]
            for answer, base in zip(answers, (b, a, b, a), strict=True):
                listed = await web.post(f"{base}/mcp/", json={"jsonrpc": "2.0", "id": 1, "method": "tools/list"},
                                        headers={"Authorization": f"Bearer {answer.json()['access_token']}",
                                                 "Accept": "application/json, text/event-stream",
                                                 "MCP-Protocol-Version": "2025-06-18"})
                assert listed.status_code == 200 and len(listed.json()["result"]["tools"]) == 21
                assert (await refresh(base, answer.json()["refresh_token"])).status_code == 200
