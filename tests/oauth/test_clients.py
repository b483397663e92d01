"""Dynamic registration rules and client authentication at the token endpoint."""
from __future__ import annotations

import base64

from oauth.hashing import token_hash
from oauth.models import OAuthClient, OAuthCode, OAuthToken
from tests.oauth import flow


async def test_public_client_gets_no_secret(http) -> None:
    answer = await http.post("/mcp/oauth/register", json={"redirect_uris": [flow.REDIRECT],
                                                          "token_endpoint_auth_method": "none"})
    assert answer.status_code == 201
    body = answer.json()
    assert "client_secret" not in body and body["token_endpoint_auth_method"] == "none"
    assert answer.headers["cache-control"] == "no-store"


async def test_redirect_uri_policy(http) -> None:
    good = ["https://chatgpt.com/connector_platform_oauth_redirect", "http://localhost:6274/oauth/callback",
            "http://127.0.0.1:33418/", "http://[::1]:9000/cb"]
    for uri in good:
        assert (await http.post("/mcp/oauth/register", json={"redirect_uris": [uri]})).status_code == 201, uri
    for uri in ("http://example.com/cb", "https://example.com/cb#frag", "javascript:alert(1)", "not a url"):
        answer = await http.post("/mcp/oauth/register", json={"redirect_uris": [uri]})
        assert answer.status_code == 400 and answer.json()["error"] == "invalid_redirect_uri", uri
    missing = await http.post("/mcp/oauth/register", json={"client_name": "x"})
    assert missing.status_code == 400
    bad_grant = await http.post("/mcp/oauth/register", json={"redirect_uris": [flow.REDIRECT],
                                                             "grant_types": ["client_credentials"]})
    assert bad_grant.status_code == 400 and bad_grant.json()["error"] == "invalid_client_metadata"
    assert (await http.post("/mcp/oauth/register", content=b"[1]")).status_code == 400


async def test_unknown_scopes_are_dropped_not_fatal(http) -> None:
    answer = await http.post("/mcp/oauth/register", json={"redirect_uris": [flow.REDIRECT], "scope": "openid api:read"})
    assert answer.status_code == 201 and answer.json()["scope"] == "api:read"


async def test_confidential_client_basic_and_post_and_wrong_secret(http) -> None:
    for method in ("client_secret_basic", "client_secret_post"):
        client = await flow.register(http, auth_method=method)
        v = flow.verifier()
        code = await flow.get_code(http, client, v)
        wrong = await _exchange(http, client, code, v, secret="wrong-" + client.client_secret, method=method)
        assert wrong.status_code in (400, 401) and wrong.json()["error"] == "invalid_client"
        ok = await _exchange(http, client, code, v, secret=client.client_secret, method=method)
        assert ok.status_code == 200, ok.text


async def _exchange(http, client, code, v, *, secret, method):
    data = {"grant_type": "authorization_code", "code": code, "redirect_uri": client.redirect_uri, "code_verifier": v}
    headers = {}
    if method == "client_secret_basic":
        headers["authorization"] = "Basic " + base64.b64encode(f"{client.client_id}:{secret}".encode()).decode()
    else:
        data |= {"client_id": client.client_id, "client_secret": secret}
    return await http.post("/mcp/oauth/token", data=data, headers=headers)


async def test_secrets_are_stored_only_as_hashes(http, oauth_app) -> None:
    client = await flow.register(http, auth_method="client_secret_post")
    v = flow.verifier()
    code = await flow.get_code(http, client, v)
    tokens = (await http.post("/mcp/oauth/token", data={
        "grant_type": "authorization_code", "code": code, "redirect_uri": client.redirect_uri, "code_verifier": v,
        "client_id": client.client_id, "client_secret": client.client_secret})).json()
    async with oauth_app.state.db.read() as s:
        row = await s.get(OAuthClient, client.client_id)
        assert row.secret_hash == token_hash(client.client_secret)
        assert await s.get(OAuthCode, token_hash(code)) is not None
        access = await s.get(OAuthToken, token_hash(tokens["access_token"]))
        refresh = await s.get(OAuthToken, token_hash(tokens["refresh_token"]))
    assert access.kind == "access" and refresh.kind == "refresh"
    assert (access.expires_at - access.created_at).total_seconds() <= 3600
    code_row = await _code(oauth_app, code)
    assert (code_row.expires_at - code_row.created_at).total_seconds() <= 60


async def _code(app, code):
    async with app.state.db.read() as s:
        return await s.get(OAuthCode, token_hash(code))


async def test_scopes_outside_the_registration_are_refused(http) -> None:
    registered = await http.post("/mcp/oauth/register", json={"redirect_uris": [flow.REDIRECT], "scope": "api:read",
                                                              "token_endpoint_auth_method": "none"})
    client = flow.Registered(registered.json()["client_id"], None, flow.REDIRECT)
    answer = await http.get("/mcp/oauth/authorize", params=flow.authorize_params(client, flow.verifier(), scope="api:send"))
    query = flow.redirect_query(answer)
    assert query["error"] == "invalid_scope" and "code" not in query
    narrowed = await http.get("/mcp/oauth/authorize",
                              params=flow.authorize_params(client, flow.verifier(), scope="api:read api:send"))
    assert narrowed.status_code == 302 and "/mcp/oauth/login" in narrowed.headers["location"]


async def test_client_id_with_nul_is_an_unknown_client(http) -> None:
    """PostgreSQL refuses NUL in a query parameter; that must read as an unknown client, not a 503."""
    token = await http.post("/mcp/oauth/token", data={"grant_type": "authorization_code", "code": "c",
                                                      "client_id": "ppc_x\x00", "code_verifier": "v"})
    assert token.status_code in (400, 401) and token.json()["error"] == "invalid_client", token.text
    start = await http.get("/mcp/oauth/authorize", params={"client_id": "ppc_x\x00", "response_type": "code"})
    assert start.status_code == 400 and "<html" in start.text.lower()


async def test_registration_refuses_unstorable_text_and_deep_nesting(http) -> None:
    for body in ({"redirect_uris": ["https://a.example/cb"], "client_name": "a\x00b"},
                 {"redirect_uris": ["https://a.example/cb\x00"]}):
        response = await http.post("/mcp/oauth/register", json=body)
        assert response.status_code == 400, response.text
        assert response.json()["error"] in ("invalid_client_metadata", "invalid_redirect_uri")
    deep = ("[" * 3000 + "]" * 3000).encode()
    response = await http.post("/mcp/oauth/register", content=deep, headers={"content-type": "application/json"})
    assert response.status_code == 400 and response.json()["error"] == "invalid_client_metadata"


async def test_registration_refuses_client_names_that_are_not_short_strings(http) -> None:
    """Before: a 300-character name was stored on SQLite and a 503 db_error on PostgreSQL."""
    for name in ("N" * 300, 5, ["x"]):
        response = await http.post("/mcp/oauth/register", json={"redirect_uris": ["https://a.example/cb"],
                                                                "client_name": name})
        assert response.status_code == 400, (name, response.text)
        assert response.json()["error"] == "invalid_client_metadata"


async def test_basic_credentials_that_are_not_utf8_are_invalid_client(http) -> None:
    """Authlib decoded them without a guard: UnicodeDecodeError, a 500 on the public token endpoint."""
    import base64

    header = "Basic " + base64.b64encode(b"\xff\xfe:\xff").decode()
    for path in ("/mcp/oauth/token", "/mcp/oauth/revoke"):
        data = {"grant_type": "authorization_code", "code": "c"} if path.endswith("token") else {"token": "t"}
        response = await http.post(path, data=data, headers={"Authorization": header})
        assert response.status_code in (400, 401), (path, response.text)
        assert response.json()["error"] == "invalid_client"
