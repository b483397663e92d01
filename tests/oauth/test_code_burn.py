"""A failed exchange spends the authorization code: whoever tried first with a wrong
``code_verifier``, ``redirect_uri`` or ``resource`` has used it up, and the right values
afterwards get ``invalid_grant`` and no token."""
from __future__ import annotations

import pytest
from sqlalchemy import func, select

from oauth.models import OAuthToken
from tests.oauth import flow


async def _token_rows(db) -> int:
    async with db.read() as s:
        return int((await s.execute(select(func.count()).select_from(OAuthToken))).scalar_one())


@pytest.mark.parametrize("wrong", ["verifier", "redirect_uri", "resource"])
async def test_failed_exchange_burns_the_code(http, oauth_app, wrong: str) -> None:
    client = await flow.register(http)
    v = flow.verifier()
    code = await flow.get_code(http, client, v)
    before = await _token_rows(oauth_app.state.db)
    if wrong == "verifier":
        failed = await flow.exchange(http, client, code, flow.verifier())
    elif wrong == "redirect_uri":
        failed = await flow.exchange(http, client, code, v, redirect_uri="http://127.0.0.1:33418/other")
    else:
        failed = await flow.exchange(http, client, code, v, resource="https://elsewhere.example/mcp/")
    assert failed.status_code == 400 and failed.json()["error"] in ("invalid_grant", "invalid_target")

    rightful = await flow.exchange(http, client, code, v)
    assert rightful.status_code == 400 and rightful.json()["error"] == "invalid_grant", rightful.text
    assert await _token_rows(oauth_app.state.db) == before


async def test_unknown_code_burns_nothing_and_a_good_exchange_still_works(http) -> None:
    client = await flow.register(http)
    v = flow.verifier()
    code = await flow.get_code(http, client, v)
    bogus = await flow.exchange(http, client, "not-a-code", v)
    assert bogus.status_code == 400 and bogus.json()["error"] == "invalid_grant"
    good = await flow.exchange(http, client, code, v)
    assert good.status_code == 200 and good.json()["access_token"]
