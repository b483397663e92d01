"""PKCE (RFC 7636) at the token endpoint: only the verifier that hashes to the code's S256
challenge gets a token; every other verifier is refused and nothing is issued."""
from __future__ import annotations

import pytest

from oauth.pkce import s256_challenge
from tests.oauth import flow
from tests.oauth.test_refusals import _token_rows


def test_s256_matches_the_rfc_7636_appendix_b_example() -> None:
    assert s256_challenge("dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk") == "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"


async def test_the_right_verifier_gets_a_token(http) -> None:
    client = await flow.register(http)
    verifier = flow.verifier()
    code = await flow.get_code(http, client, verifier)
    answer = await flow.exchange(http, client, code, verifier)
    assert answer.status_code == 200 and answer.json()["access_token"]


@pytest.mark.parametrize("wrong", [
    "the challenge itself",  # sending the challenge instead of the verifier
    "one character off",
    "another code's verifier",
    "too short",  # RFC 7636 §4.1: 43 to 128 characters
    "too long",
    "characters outside the unreserved set",
])
async def test_any_other_verifier_is_refused_and_nothing_issued(http, oauth_app, wrong: str) -> None:
    client = await flow.register(http)
    verifier = flow.verifier()
    code = await flow.get_code(http, client, verifier)
    other = flow.verifier()
    await flow.get_code(http, client, other)  # a second, valid code for the same client
    sent = {
        "the challenge itself": s256_challenge(verifier),
        "one character off": verifier[:-1] + ("A" if verifier[-1] != "A" else "B"),
        "another code's verifier": other,
        "too short": verifier[:42],
        "too long": (verifier * 3)[:129],
        "characters outside the unreserved set": verifier[:50] + "+/=",
    }[wrong]
    before = await _token_rows(oauth_app.state.db)
    answer = await flow.exchange(http, client, code, sent)
    assert answer.status_code == 400 and answer.json()["error"] in ("invalid_grant", "invalid_request"), answer.text
    assert "access_token" not in answer.json()
    assert await _token_rows(oauth_app.state.db) == before


async def test_confidential_clients_need_the_verifier_too(http, oauth_app) -> None:
    client = await flow.register(http, auth_method="client_secret_post")
    verifier = flow.verifier()
    code = await flow.get_code(http, client, verifier)
    before = await _token_rows(oauth_app.state.db)
    answer = await flow.exchange(http, client, code, None, client_secret=client.client_secret or "")
    assert answer.status_code == 400 and answer.json()["error"] == "invalid_request"
    assert await _token_rows(oauth_app.state.db) == before
