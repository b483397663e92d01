"""Client ID Metadata Documents, fetched over real TLS from a loopback server.

``app.example.com`` resolves (injected resolver) to a public address, which the injected
dialer routes to a local HTTPS server holding a certificate for that name; the SSRF checks
are the production ones (``domain.adapters.http.netfetch``).
"""
from __future__ import annotations

import json
import ssl
import threading
from collections.abc import AsyncIterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import httpx
import pytest
import trustme

from oauth.cimd import cache_ttl, is_cimd_url, netfetch_fetcher
from tests.oauth import flow

PUBLIC_IP = "93.184.216.34"
HOST = "app.example.com"
BASE = f"https://{HOST}"
INTRANET = "intranet.example.com"
NAMES = {HOST: [PUBLIC_IP], INTRANET: ["10.0.0.8"]}


def document(path: str, **overrides: object) -> dict[str, object]:
    doc: dict[str, object] = {"client_id": f"{BASE}{path}", "client_name": "Example Agent",
                              "redirect_uris": [flow.REDIRECT], "token_endpoint_auth_method": "none"}
    doc.update(overrides)
    return doc


DOCS = {
    "/good.json": (document("/good.json"), "max-age=300"),
    "/fresh.json": (document("/fresh.json"), "no-store"),
    "/liar.json": (document("/liar.json", client_id=f"{BASE}/someone-else.json"), "max-age=300"),
    "/secret.json": (document("/secret.json", token_endpoint_auth_method="client_secret_post"), "max-age=300"),
    # a name longer than the consent page and grant rows take (PostgreSQL answered 503 at approval)
    "/longname.json": (document("/longname.json", client_name="N" * 300), "max-age=300"),
    # a valid document, served for the intranet name too: only the address check refuses it
    "/client.json": (document("/client.json", client_id=f"https://{INTRANET}/client.json"), "max-age=300"),
}
DEEP_JSON = b'{"a":' * 5000 + b"1" + b"}" * 5000  # json.loads raised RecursionError: a 500 at authorize


class Handler(BaseHTTPRequestHandler):
    def log_message(self, *args):
        pass

    def do_GET(self):
        self.server.hits.append(self.path)
        if self.path == "/moved.json":
            self.send_response(302)
            self.send_header("Location", "/good.json")
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        doc, cache = DOCS.get(self.path, (None, ""))
        body = json.dumps(doc).encode() if doc else b"{}"
        if self.path == "/deep.json":
            doc, cache, body = {}, "max-age=300", DEEP_JSON
        self.send_response(200 if doc is not None else 404)
        self.send_header("Content-Type", "application/json")
        self.send_header("Cache-Control", cache)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


@pytest.fixture(scope="module")
def tls_server():
    ca = trustme.CA()
    server_ctx = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    ca.issue_cert(HOST, INTRANET).configure_cert(server_ctx)  # the intranet name too: only the guard stops it
    client_ctx = ssl.create_default_context()
    ca.configure_trust(client_ctx)
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    httpd.hits = []
    httpd.socket = server_ctx.wrap_socket(httpd.socket, server_side=True)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    yield httpd, client_ctx
    httpd.shutdown()
    httpd.server_close()


@pytest.fixture(scope="module")
async def cimd_http(settings, tls_server) -> AsyncIterator[httpx.AsyncClient]:
    from server.app import create_app

    httpd, client_ctx = tls_server
    port = httpd.server_address[1]

    async def resolve(host: str, _port: int) -> list[str]:
        if host not in NAMES:
            raise OSError("unknown name")
        return NAMES[host]

    def dial(_address: str, _port: int) -> tuple[str, int]:
        # every address, private ones included, reaches the local server: if the SSRF guard let a
        # private address through, the server would see the request (and no packet leaves loopback)
        return ("127.0.0.1", port)

    app = create_app(settings, run_migrations=False, oauth_options={
        "fetch": netfetch_fetcher(resolver=resolve, dialer=dial, ssl_context=client_ctx)})
    async with app.router.lifespan_context(app):
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://127.0.0.1:8000") as http:
            yield http


def _client(path: str) -> flow.Registered:
    return flow.Registered(f"{BASE}{path}", None, flow.REDIRECT)


async def test_cimd_client_completes_the_flow_and_is_cached(cimd_http, tls_server) -> None:
    httpd, _ = tls_server
    client = _client("/good.json")
    v = flow.verifier()
    params = flow.authorize_params(client, v)
    consent = await flow.sign_up_to_consent(cimd_http, params)
    assert "Example Agent" in consent
    answer = await flow.decide(cimd_http, consent, "approve")
    code = flow.redirect_query(answer)["code"]
    tokens = await flow.exchange(cimd_http, client, code, v)
    assert tokens.status_code == 200, tokens.text
    fetches = httpd.hits.count("/good.json")
    again = await cimd_http.get("/mcp/oauth/authorize", params=flow.authorize_params(client, flow.verifier()))
    assert again.status_code == 302
    assert httpd.hits.count("/good.json") == fetches  # max-age=300: served from the shared cache


async def test_no_store_document_is_fetched_every_time(cimd_http, tls_server) -> None:
    httpd, _ = tls_server
    client = _client("/fresh.json")
    before = httpd.hits.count("/fresh.json")  # the TLS server is shared by both database runs
    for _ in range(2):
        answer = await cimd_http.get("/mcp/oauth/authorize", params=flow.authorize_params(client, flow.verifier()))
        assert answer.status_code == 302
    assert httpd.hits.count("/fresh.json") - before == 2  # no-store: every authorization request fetches again


@pytest.mark.parametrize("path", ["/liar.json", "/secret.json", "/missing.json", "/moved.json", "/longname.json",
                                  "/deep.json"])
async def test_bad_documents_are_unknown_clients(cimd_http, path) -> None:
    answer = await cimd_http.get("/mcp/oauth/authorize", params=flow.authorize_params(_client(path), flow.verifier()))
    assert answer.status_code == 400 and "location" not in answer.headers
    assert 'data-error="invalid_client"' in answer.text


async def test_redirect_uri_must_be_listed_in_the_document(cimd_http) -> None:
    params = flow.authorize_params(_client("/good.json"), flow.verifier(), redirect_uri="http://127.0.0.1:9/other")
    answer = await cimd_http.get("/mcp/oauth/authorize", params=params)
    assert answer.status_code == 400 and "location" not in answer.headers


async def test_private_addresses_are_never_fetched(cimd_http, tls_server) -> None:
    httpd, _ = tls_server
    client = flow.Registered(f"https://{INTRANET}/client.json", None, flow.REDIRECT)
    answer = await cimd_http.get("/mcp/oauth/authorize", params=flow.authorize_params(client, flow.verifier()))
    assert answer.status_code == 400 and 'data-error="invalid_client"' in answer.text
    assert "/client.json" not in httpd.hits  # the listener standing in for 10.0.0.8 was never asked


def test_which_client_ids_are_document_urls() -> None:
    assert is_cimd_url("https://app.example.com/oauth/client.json")
    for value in ("http://app.example.com/c.json", "https://app.example.com", "https://app.example.com/",
                  "https://u:p@app.example.com/c.json", "https://app.example.com/a/../c.json", "ppc_123"):
        assert not is_cimd_url(value), value


def test_cache_lifetime_follows_http_headers() -> None:
    from datetime import UTC, datetime, timedelta

    now = datetime(2026, 1, 1, tzinfo=UTC)
    assert cache_ttl({"cache-control": "public, max-age=120"}, now) == timedelta(seconds=120)
    assert cache_ttl({"cache-control": "no-store"}, now) == timedelta(0)
    assert cache_ttl({"cache-control": "max-age=9999999"}, now) == timedelta(hours=24)
    assert cache_ttl({"expires": "Thu, 01 Jan 2026 00:10:00 GMT"}, now) == timedelta(minutes=10)
    assert cache_ttl({"expires": "garbage"}, now) == timedelta(0)
    assert cache_ttl({}, now) == timedelta(minutes=5)
