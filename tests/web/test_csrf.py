"""CSRF tokens are bound to the nonce cookie and to the sign-in session they were issued for."""
from __future__ import annotations

import uuid

import httpx

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
