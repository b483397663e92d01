"""SSRF-safe fileUrl fetching against real TLS servers on loopback.

Public-looking names resolve (through the injected resolver) to a public address, and the
injected dialer routes that address to a local HTTPS server with a certificate for the
name; the address checks themselves are the production ones. A second listener stands for
every private target and must never see a connection.
"""
from __future__ import annotations

import socket
import ssl
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

import pytest
import trustme

from domain.errors import ErrorCode, InvalidRequest, PayloadTooLarge
from domain.netfetch import FetchLimits, open_public_url

PUBLIC_IP = "93.184.216.34"
BODY = b"\x89PNG\r\n\x1a\n" + b"pixels" * 1000
NAMES = {
    "files.example.com": [PUBLIC_IP],
    "cdn.example.org": [PUBLIC_IP],
    "wrong-cert.example.net": [PUBLIC_IP],
    "internal.example.com": ["10.1.2.3"],
    "metadata.example.com": ["169.254.169.254"],
    "mixed.example.com": [PUBLIC_IP, "192.168.0.10"],
    "ula.example.com": ["fd12:3456::1"],
    "mapped.example.com": ["::ffff:127.0.0.1"],
    "cgnat.example.com": ["100.64.1.1"],
}


class Handler(BaseHTTPRequestHandler):
    def log_message(self, *args):  # keep test output quiet
        pass

    def _send(self, status: int, body: bytes = b"", headers: dict[str, str] | None = None, length: bool = True):
        self.send_response(status)
        for key, value in (headers or {}).items():
            self.send_header(key, value)
        if length:
            self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_GET(self):
        self.server.hits.append((self.path, self.headers.get("Host")))
        path, query = urlsplit(self.path).path, parse_qs(urlsplit(self.path).query)
        if path == "/file.png":
            self._send(200, BODY, {"Content-Type": "image/png"})
        elif path == "/redirect":
            self._send(302, headers={"Location": query["to"][0]})
        elif path.startswith("/chain/"):
            left = int(path.rsplit("/", 1)[1])
            if left:
                self._send(302, headers={"Location": f"/chain/{left - 1}"})
            else:
                self._send(200, b"end of chain")
        elif path == "/big":
            self._send(200, b"x" * 200_000)
        elif path == "/big-unannounced":
            self.close_connection = True
            self._send(200, b"y" * 200_000, length=False)
        elif path == "/slow":
            time.sleep(1.5)
            self._send(200, b"late")
        else:
            self._send(404, b"nope")


@pytest.fixture(scope="module")
def tls():
    ca = trustme.CA()
    server_ctx = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    ca.issue_cert("files.example.com", "cdn.example.org").configure_cert(server_ctx)
    client_ctx = ssl.create_default_context()
    ca.configure_trust(client_ctx)
    return server_ctx, client_ctx


@pytest.fixture(scope="module")
def server(tls):
    server_ctx, _ = tls
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    httpd.hits = []
    httpd.sni = []
    server_ctx.sni_callback = lambda sslsock, name, ctx: httpd.sni.append(name)
    httpd.socket = server_ctx.wrap_socket(httpd.socket, server_side=True, do_handshake_on_connect=False)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield httpd
    httpd.shutdown()
    httpd.server_close()


@pytest.fixture(scope="module")
def secret():
    """Stands for every private target: records any connection that reaches it."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen()
    listener.settimeout(0.2)
    accepted: list[object] = []
    stop = threading.Event()

    def accept():
        while not stop.is_set():
            try:
                conn, _ = listener.accept()
            except OSError:
                continue
            accepted.append(conn.getpeername())
            conn.close()

    threading.Thread(target=accept, daemon=True).start()
    yield listener.getsockname()[1], accepted
    stop.set()
    listener.close()


class Net:
    """Injected resolver and dialer that record every use."""

    def __init__(self, port: int):
        self.port, self.resolved, self.dialed = port, [], []

    async def resolve(self, host: str, port: int) -> list[str]:
        self.resolved.append(host)
        if host not in NAMES:
            raise socket.gaierror(socket.EAI_NONAME, "unknown name")
        return NAMES[host]

    def dial(self, address: str, port: int) -> tuple[str, int]:
        self.dialed.append((address, port))
        return ("127.0.0.1", self.port) if address == PUBLIC_IP else (address, port)


@pytest.fixture
def net(server, secret):
    server.hits.clear()
    server.sni.clear()
    secret[1].clear()
    return Net(server.server_address[1])


async def fetch(url: str, net: Net, tls, **limits) -> bytes:
    async with open_public_url(
        url, resolver=net.resolve, dialer=net.dial, ssl_context=tls[1], limits=FetchLimits(**limits)
    ) as fetched:
        return b"".join([chunk async for chunk in fetched.chunks])


DIRECT_REFUSALS = [
    "http://files.example.com/file.png",
    "ftp://files.example.com/file.png",
    "files.example.com/file.png",
    "https:///file.png",
    "https://user:secret@files.example.com/file.png",
    "https://user@files.example.com/file.png",
    "https://localhost/file.png",
    "https://printer.localhost/",
    "https://127.0.0.1/",
    "https://2130706433/",
    "https://0x7f.1/",
    "https://0x7f000001/",
    "https://0177.0.0.1/",
    "https://127.1/",
    "https://10.0.0.1/",
    "https://172.16.0.1/",
    "https://192.168.1.1/",
    "https://169.254.169.254/latest/meta-data/",
    "https://100.64.0.1/",
    "https://224.0.0.1/",
    "https://0.0.0.0/",
    "https://240.0.0.1/",
    "https://255.255.255.255/",
    "https://[::1]/",
    "https://[::]/",
    "https://[fd00::1]/",
    "https://[fe80::1]/",
    "https://[fe80::1%25eth0]/",
    "https://[ff02::1]/",
    "https://[::ffff:127.0.0.1]/",
    "https://[::ffff:a9fe:a9fe]/",
    "https://[::7f00:1]/",
    "https://[2002:7f00:1::1]/",
    "https://[64:ff9b::a9fe:a9fe]/",
    "https://internal.example.com/file.png",
    "https://metadata.example.com/latest/meta-data/",
    "https://mixed.example.com/file.png",
    "https://ula.example.com/file.png",
    "https://mapped.example.com/file.png",
    "https://cgnat.example.com/file.png",
    "https://unknown.example.com/file.png",
]


@pytest.mark.parametrize("url", DIRECT_REFUSALS)
async def test_refused_urls_are_never_fetched(url, net, tls, server, secret):
    with pytest.raises(InvalidRequest) as caught:
        await fetch(url, net, tls)
    assert caught.value.code is ErrorCode.INVALID_REQUEST and caught.value.field == "fileUrl"
    assert net.dialed == [] and server.hits == [] and secret[1] == []


def redirect_targets(secret_port: int) -> list[str]:
    return [
        f"https://127.0.0.1:{secret_port}/secret",
        f"https://[::ffff:127.0.0.1]:{secret_port}/secret",
        f"https://2130706433:{secret_port}/secret",
        "https://169.254.169.254/latest/meta-data/",
        "https://internal.example.com/secret",
        "https://metadata.example.com/latest/meta-data/",
        "http://files.example.com/file.png",
        "https://user:pw@files.example.com/file.png",
    ]


@pytest.mark.parametrize("index", range(8))
async def test_redirects_to_private_targets_are_refused(index, net, tls, server, secret):
    target = redirect_targets(secret[0])[index]
    with pytest.raises(InvalidRequest) as caught:
        await fetch(f"https://files.example.com/redirect?to={target}", net, tls)
    assert caught.value.field == "fileUrl"
    assert [path for path, _ in server.hits] == [f"/redirect?to={target}"]  # only the public hop
    assert {address for address, _ in net.dialed} == {PUBLIC_IP} and secret[1] == []


async def test_more_than_three_redirects_are_refused(net, tls, server):
    with pytest.raises(InvalidRequest) as caught:
        await fetch("https://files.example.com/chain/4", net, tls)
    assert "redirects" in caught.value.message
    assert [path for path, _ in server.hits] == ["/chain/4", "/chain/3", "/chain/2", "/chain/1"]


async def test_public_file_is_fetched_with_host_and_sni_of_the_name(net, tls, server):
    assert await fetch("https://files.example.com/file.png", net, tls) == BODY
    assert server.hits == [("/file.png", "files.example.com")]
    assert server.sni == ["files.example.com"] and net.dialed == [(PUBLIC_IP, 443)]


async def test_three_redirects_across_public_hosts_are_followed(net, tls, server):
    assert await fetch("https://cdn.example.org/chain/3", net, tls) == b"end of chain"
    assert len(server.hits) == 4 and net.resolved == ["cdn.example.org"] * 4


async def test_connection_goes_to_the_checked_address_without_a_second_lookup(net, tls, server):
    answers = iter([[PUBLIC_IP], ["127.0.0.1"]])  # a rebinding DNS server: public, then loopback

    async def rebinding(host: str, port: int) -> list[str]:
        net.resolved.append(host)
        return next(answers)

    async with open_public_url("https://files.example.com/file.png", resolver=rebinding, dialer=net.dial,
                               ssl_context=tls[1]) as fetched:
        assert b"".join([c async for c in fetched.chunks]) == BODY
    assert net.resolved == ["files.example.com"] and net.dialed == [(PUBLIC_IP, 443)]


async def test_certificate_must_match_the_host_name(net, tls):
    with pytest.raises(InvalidRequest) as caught:
        await fetch("https://wrong-cert.example.net/file.png", net, tls)
    assert "ConnectError" in caught.value.message


async def test_announced_size_over_the_cap_is_refused_before_reading(net, tls):
    with pytest.raises(PayloadTooLarge):
        await fetch("https://files.example.com/big", net, tls, max_bytes=100_000)


async def test_unannounced_size_over_the_cap_stops_the_download(net, tls):
    with pytest.raises(PayloadTooLarge):
        await fetch("https://files.example.com/big-unannounced", net, tls, max_bytes=100_000)


async def test_error_status_is_refused(net, tls):
    with pytest.raises(InvalidRequest) as caught:
        await fetch("https://files.example.com/missing.png", net, tls)
    assert "HTTP 404" in caught.value.message


async def test_total_time_is_capped(net, tls):
    with pytest.raises(InvalidRequest) as caught:
        await fetch("https://files.example.com/slow", net, tls, total_timeout=0.3)
    assert "longer than" in caught.value.message
