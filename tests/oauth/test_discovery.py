"""Metadata at every location docs/product.md § OAuth lists, 200 without redirects, one issuer string everywhere."""
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


#: location -> the resource it describes (RFC 9728 §3.1: the well-known segment goes before the
#: resource's path, so each spelling of the MCP URL has its own location).
PR_RESOURCES = {
    "/.well-known/oauth-protected-resource/mcp": f"{BASE}/mcp",
    "/.well-known/oauth-protected-resource/mcp/": f"{BASE}/mcp/",
    "/.well-known/oauth-protected-resource": f"{BASE}/mcp",  # fallback: a prefix of both spellings
    "/.well-known/oauth-protected-resource/": f"{BASE}/mcp",
    "/mcp/.well-known/oauth-protected-resource": f"{BASE}/mcp/",
    "/mcp/.well-known/oauth-protected-resource/": f"{BASE}/mcp/",
}


def test_every_metadata_location_is_checked() -> None:
    assert set(PR_RESOURCES) == {v for p in PR_METADATA_PATHS for v in (p, p + "/")}


@pytest.mark.parametrize("path", sorted(PR_RESOURCES))
async def test_protected_resource_metadata_everywhere_without_auth(http, path) -> None:
    answer = await http.get(path)
    assert answer.status_code == 200, path
    doc = answer.json()
    assert doc["resource"] == PR_RESOURCES[path]
    assert doc["authorization_servers"] == [flow.ISSUER]
    assert "api:send" in doc["scopes_supported"]


def _ts_sdk_check_resource_allowed(requested: str, configured: str) -> bool:
    """The TypeScript SDK's ``checkResourceAllowed`` (src/shared/auth-utils.ts), line for line:
    same origin, the configured path no longer than the requested one, and a prefix of it
    once both end in ``/``."""
    from urllib.parse import urlsplit

    req, conf = urlsplit(requested), urlsplit(configured)
    if (req.scheme, req.netloc) != (conf.scheme, conf.netloc):
        return False
    if len(req.path or "/") < len(conf.path or "/"):
        return False
    req_path = req.path if req.path.endswith("/") else req.path + "/"
    conf_path = conf.path if conf.path.endswith("/") else conf.path + "/"
    return req_path.startswith(conf_path)


@pytest.mark.parametrize("server_url", [f"{BASE}/mcp", f"{BASE}/mcp/"])
async def test_challenge_leads_to_metadata_the_sdk_accepts(http, server_url) -> None:
    """The 401 for each spelling names the location describing exactly that URL, and the
    document there passes the TypeScript SDK's resource check for the URL the person pasted."""
    from mcp.shared.auth_utils import check_resource_allowed

    answer = await http.post(server_url.removeprefix(BASE), json={})
    assert answer.status_code == 401
    location = answer.headers["www-authenticate"].split('resource_metadata="', 1)[1].split('"', 1)[0]
    assert location == f"{BASE}/.well-known/oauth-protected-resource{server_url.removeprefix(BASE)}"
    doc = (await http.get(location.removeprefix(BASE))).json()
    assert doc["resource"] == server_url
    assert _ts_sdk_check_resource_allowed(server_url, doc["resource"])
    assert check_resource_allowed(requested_resource=server_url, configured_resource=doc["resource"])


def test_the_old_single_document_fails_the_sdk_check() -> None:
    """Why one shared ``{BASE}/mcp/`` document broke ``{BASE}/mcp`` in TypeScript clients."""
    assert not _ts_sdk_check_resource_allowed(f"{BASE}/mcp", f"{BASE}/mcp/")
    assert _ts_sdk_check_resource_allowed(f"{BASE}/mcp/", f"{BASE}/mcp")


@pytest.mark.parametrize("token_resource", [f"{BASE}/mcp", f"{BASE}/mcp/"])
async def test_a_token_for_either_spelling_works_on_both_endpoints(http, token_resource) -> None:
    client = await flow.register(http)
    v = flow.verifier()
    code = await flow.get_code(http, client, v, resource=token_resource)
    answer = await flow.exchange(http, client, code, v, resource=token_resource)
    assert answer.status_code == 200, answer.text
    bearer_header = {"Authorization": f"Bearer {answer.json()['access_token']}",
                     "Accept": "application/json, text/event-stream", "MCP-Protocol-Version": "2025-06-18"}
    ping = {"jsonrpc": "2.0", "id": 1, "method": "ping"}
    for path in ("/mcp", "/mcp/"):
        called = await http.post(path, json=ping, headers=bearer_header)
        assert called.status_code == 200, (path, called.status_code, called.text)
        assert called.json()["result"] == {} or "result" in called.json()


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
