"""CSRF tokens are bound to the nonce cookie and to the sign-in session they were issued for."""
from __future__ import annotations

import base64
import uuid

import httpx
from starlette.requests import Request
from starlette.responses import Response

from domain.core.settings import Settings
from server.web import csrf
from tests.support.apps import asgi_client
from tests.web.helpers import csrf_token, sign_up


async def test_token_from_another_session_is_refused(app: object) -> None:
    async with asgi_client(app) as victim, asgi_client(app) as attacker:
        await sign_up(victim)
        await sign_up(attacker)
        own = csrf_token((await victim.get("/api/dashboard/keys")).text)
        # the attacker plants their own nonce cookie in the victim's browser and submits their token
        attacker_token = csrf_token((await attacker.get("/api/dashboard/keys")).text)
        victim.cookies.set("pp_csrf", attacker.cookies.get("pp_csrf"))
        forged = await victim.post("/api/dashboard/keys", data={"name": "forged", "mode": "test",
                                                                "csrf_token": attacker_token})
        assert forged.status_code == 403
        keys_page = (await victim.get("/api/dashboard/keys")).text
        assert "forged" not in keys_page
        assert own  # the victim's own pages still carry a token of their own


async def test_own_token_still_works(client: httpx.AsyncClient) -> None:
    await sign_up(client)
    token = csrf_token((await client.get("/api/dashboard/keys")).text)
    name = f"mine-{uuid.uuid4().hex[:6]}"
    made = await client.post("/api/dashboard/keys", data={"name": name, "mode": "test", "csrf_token": token})
    assert made.status_code == 303, made.text
    assert name in (await client.get("/api/dashboard/keys")).text  # the key was really created


# --- the token rules themselves (server/web/csrf.py), without an app ---

SETTINGS = Settings(secret_key="csrf-test-secret", database_url="sqlite+aiosqlite:///:memory:")


def _request(**cookies: str) -> Request:
    headers = [(b"cookie", "; ".join(f"{k}={v}" for k, v in cookies.items()).encode())] if cookies else []
    return Request({"type": "http", "method": "POST", "path": "/", "headers": headers})


def test_a_browser_without_a_nonce_gets_a_fresh_one_that_its_token_is_bound_to() -> None:
    token, fresh = csrf.token_for(_request(), SETTINGS)
    assert fresh and len(base64.urlsafe_b64decode(fresh + "=")) == 32  # 256 random bits
    assert csrf.is_valid(_request(pp_csrf=fresh), SETTINGS, token)
    assert not csrf.is_valid(_request(pp_csrf=fresh + "x"), SETTINGS, token)


def test_a_nonce_up_to_100_characters_is_kept_and_a_longer_one_replaced() -> None:
    kept = "n" * 100
    token, fresh = csrf.token_for(_request(pp_csrf=kept), SETTINGS)
    assert fresh is None
    assert csrf.is_valid(_request(pp_csrf=kept), SETTINGS, token)
    token, fresh = csrf.token_for(_request(pp_csrf="n" * 101), SETTINGS)
    assert fresh is not None and fresh != "n" * 101
    assert csrf.is_valid(_request(pp_csrf=fresh), SETTINGS, token)


def test_the_token_is_bound_to_the_sign_in_session_and_the_secret_key() -> None:
    token, _ = csrf.token_for(_request(pp_csrf="nonce", pp_session="alice"), SETTINGS)
    assert csrf.is_valid(_request(pp_csrf="nonce", pp_session="alice"), SETTINGS, token)
    assert not csrf.is_valid(_request(pp_csrf="nonce", pp_session="mallory"), SETTINGS, token)
    assert not csrf.is_valid(_request(pp_csrf="nonce"), SETTINGS, token)
    other_key = Settings(secret_key="another-secret", database_url="sqlite+aiosqlite:///:memory:")
    assert not csrf.is_valid(_request(pp_csrf="nonce", pp_session="alice"), other_key, token)


def test_missing_cookie_missing_field_and_odd_values_are_refused_without_error() -> None:
    token, _ = csrf.token_for(_request(pp_csrf="nonce"), SETTINGS)
    assert not csrf.is_valid(_request(), SETTINGS, token)  # no nonce cookie
    for submitted in (None, "", [token], token.encode(), "é\ud7ff", token[:-1]):
        assert not csrf.is_valid(_request(pp_csrf="nonce"), SETTINGS, submitted)


def test_the_nonce_cookie_is_http_only_same_site_lax_for_the_whole_site() -> None:
    response = Response()
    csrf.set_cookie(response, "abc", secure=True)
    cookie = response.headers["set-cookie"]
    assert cookie.startswith("pp_csrf=abc;")
    assert {"HttpOnly", "Path=/", "SameSite=lax", "Secure"} <= {part.strip() for part in cookie.split(";")}
    plain = Response()
    csrf.set_cookie(plain, "abc", secure=False)
    assert "Secure" not in plain.headers["set-cookie"]
    untouched = Response()
    csrf.set_cookie(untouched, None, secure=True)  # the browser already has a nonce
    assert "set-cookie" not in untouched.headers
