"""Metadata at every SPEC location, 200 without redirects, one issuer string everywhere."""
from __future__ import annotations

import pytest

from oauth import bearer
from oauth.metadata import AS_METADATA_PATHS, PR_METADATA_PATHS
from tests.oauth import flow

BASE = "http://127.0.0.1:8000"


@pytest.mark.parametrize("path", AS_METADATA_PATHS)
async def test_authorization_server_metadata_everywhere(http, path) -> None:
    docs = []
    for variant in (path, path + "/"):
        answer = await http.get(variant)
        assert answer.status_code == 200, variant
        docs.append(answer.json())
    assert docs[0] == docs[1]
    doc = docs[0]
    assert doc["issuer"] == flow.ISSUER
    assert doc["authorization_endpoint"] == f"{flow.ISSUER}/authorize"
    assert doc["token_endpoint"] == f"{flow.ISSUER}/token"
    assert doc["registration_endpoint"] == f"{flow.ISSUER}/register"
    assert doc["revocation_endpoint"] == f"{flow.ISSUER}/revoke"
    assert doc["code_challenge_methods_supported"] == ["S256"]
    assert doc["token_endpoint_auth_methods_supported"] == ["none", "client_secret_post", "client_secret_basic"]
    assert doc["client_id_metadata_document_supported"] is True
    assert set(doc["grant_types_supported"]) == {"authorization_code", "refresh_token"}
    assert doc["scopes_supported"] == ["api:read", "api:send", "api:keys", "mailbook:read", "mailbook:write"]


def test_metadata_passes_authlib_rfc8414_validation() -> None:
    from authlib.oauth2.rfc8414 import AuthorizationServerMetadata

    from domain.core.settings import Settings
    from oauth.metadata import authorization_server_metadata

    settings = Settings(base_url="https://pieterpost.example")
    AuthorizationServerMetadata(authorization_server_metadata(settings)).validate()


@pytest.mark.parametrize("path", PR_METADATA_PATHS)
async def test_protected_resource_metadata_everywhere_without_auth(http, path) -> None:
    for variant in (path, path + "/"):
        answer = await http.get(variant)
        assert answer.status_code == 200, variant
        doc = answer.json()
        assert doc["resource"] == f"{BASE}/mcp/"
        assert doc["authorization_servers"] == [flow.ISSUER]
        assert "api:send" in doc["scopes_supported"]


@pytest.mark.parametrize("path", ["/mcp/oauth/token", "/token", "/mcp/oauth/register", "/register",
                                  "/mcp/oauth/revoke", "/mcp/oauth/authorize", "/authorize"])
async def test_endpoints_answer_with_and_without_slash(http, path) -> None:
    statuses = []
    for variant in (path, path + "/"):
        method = http.get if "authorize" in path else http.post
        answer = await method(variant)
        # an empty request is the client's fault: a 4xx from the endpoint itself, never a
        # redirect to the other spelling, a missing route, or a server error
        assert answer.status_code in (400, 401), (variant, answer.status_code, answer.text[:200])
        statuses.append((answer.status_code, answer.headers.get("content-type", "").split(";")[0]))
    assert statuses[0] == statuses[1]  # both spellings are the same endpoint


async def test_origin_fallbacks_are_the_same_endpoints(http) -> None:
    registered = await http.post("/register", json={"redirect_uris": [flow.REDIRECT],
                                                    "token_endpoint_auth_method": "none"})
    assert registered.status_code == 201
    client = flow.Registered(registered.json()["client_id"], None, flow.REDIRECT)
    answer = await http.get("/authorize", params=flow.authorize_params(client, flow.verifier()))
    assert answer.status_code == 302 and "/mcp/oauth/login?request=" in answer.headers["location"]
    token = await http.post("/token", data={"grant_type": "authorization_code", "code": "nope",
                                            "client_id": client.client_id, "code_verifier": flow.verifier()})
    assert token.status_code == 400 and token.json()["error"] == "invalid_grant"


def test_challenge_header_is_the_spec_string(oauth_app) -> None:
    header = bearer.challenge(oauth_app.state.settings)
    assert header == ('Bearer realm="PieterPost MCP", '
                      f'resource_metadata="{BASE}/.well-known/oauth-protected-resource/mcp", '
                      'scope="api:read api:send api:keys mailbook:read mailbook:write"')


async def test_missing_and_malformed_bearer(oauth_app) -> None:
    for header, error in ((None, None), ("Basic abc", "invalid_request"), ("Bearer nope", "invalid_token")):
        try:
            await bearer.verify(oauth_app.state.db, header, oauth_app.state.settings)
        except bearer.BearerError as err:
            assert err.status == 401 and err.error == error
        else:
            raise AssertionError(header)
