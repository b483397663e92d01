"""Local TLS test servers for fileUrl fetching (shared by the netfetch and upload tests).

Public-looking names resolve (through ``Net.resolve``) to a public address, and ``Net.dial``
routes that address to a local HTTPS server whose certificate names them; the address checks
stay the production ones. ``secret`` stands for every private target and must never see a
connection.
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

from tests.domain.filemakers import image_bytes

PUBLIC_IP = "93.184.216.34"
BODY = b"\x89PNG\r\n\x1a\n" + b"pixels" * 1000
STAMP_PNG = image_bytes((120, 80))
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
        elif path == "/stamp.png":
            self._send(200, STAMP_PNG, {"Content-Type": "image/png"})
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
