"""Host/Origin checks and CORS for the MCP endpoint, as one plain ASGI middleware.

docs/product.md § MCP server: Host and Origin must belong to BASE_URL (plus configured extras); a bad Origin
is 403 (MCP transports spec, "Security Warning": servers MUST validate Origin to stop DNS
rebinding), a Host we do not serve is 421 (RFC 9110 §15.5.20). Browser clients get CORS
(Fetch standard) with the request/expose header lists below.
Hand-written instead of starlette's CORSMiddleware because the same origin allow-list must
drive both the 403 and the CORS answer, and only for the MCP paths.
"""
from __future__ import annotations

from urllib.parse import urlsplit

from starlette.datastructures import Headers
from starlette.responses import PlainTextResponse, Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from domain.core.settings import Settings

ALLOW_HEADERS = "Authorization, Content-Type, Mcp-Session-Id, Mcp-Protocol-Version, Last-Event-ID"
EXPOSE_HEADERS = "Mcp-Session-Id, WWW-Authenticate"
ALLOW_METHODS = "GET, POST, DELETE, OPTIONS"
LOOPBACK_HOSTS = ("127.0.0.1", "localhost", "[::1]")


def _origin_of(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}".lower()


class OriginPolicy:
    """Which Host and Origin values the MCP endpoint accepts, derived from settings once."""

    def __init__(self, settings: Settings) -> None:
        base = urlsplit(settings.base_url)
        self.hosts = {base.netloc.lower(), *(h.lower() for h in settings.mcp_allowed_hosts)}
        self.origins = {_origin_of(settings.base_url), *(o.rstrip("/").lower() for o in settings.mcp_allowed_origins)}
        # A loopback BASE_URL is a developer machine: any local port may talk to it.
        self.loopback = (base.hostname or "") in ("127.0.0.1", "localhost", "::1")

    def _is_loopback(self, netloc: str) -> bool:
        host = netloc.rsplit(":", 1)[0] if not netloc.endswith("]") else netloc
        return host in LOOPBACK_HOSTS

    def host_ok(self, host: str | None) -> bool:
        if not host:
            return False
        host = host.lower()
        return host in self.hosts or (self.loopback and self._is_loopback(host))

    def origin_ok(self, origin: str | None) -> bool:
        """No Origin header means a non-browser client; that is allowed."""
        if origin is None:
            return True
        origin = origin.lower()
        if origin in self.origins:
            return True
        parts = urlsplit(origin)
        return self.loopback and parts.scheme in ("http", "https") and self._is_loopback(parts.netloc)


class McpEdgeMiddleware:
    """Rejects bad Host/Origin, answers CORS preflights, adds CORS headers to allowed origins."""

    def __init__(self, app: ASGIApp, policy: OriginPolicy) -> None:
        self.app = app
        self.policy = policy

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = Headers(scope=scope)
        origin = headers.get("origin")
        if not self.policy.host_ok(headers.get("host")):
            await PlainTextResponse("Misdirected request: unknown Host", status_code=421)(scope, receive, send)
            return
        if not self.policy.origin_ok(origin):
            await PlainTextResponse("Forbidden: Origin not allowed", status_code=403)(scope, receive, send)
            return
        if scope["method"] == "OPTIONS" and origin is not None:
            await self._preflight(origin)(scope, receive, send)
            return
        if origin is None:
            await self.app(scope, receive, send)
            return

        async def send_with_cors(message: Message) -> None:
            if message["type"] == "http.response.start":
                raw = list(message.get("headers", []))
                raw += [
                    (b"access-control-allow-origin", origin.encode("latin-1")),
                    (b"access-control-expose-headers", EXPOSE_HEADERS.encode()),
                    (b"vary", b"Origin"),
                ]
                message = {**message, "headers": raw}
            await send(message)

        await self.app(scope, receive, send_with_cors)

    @staticmethod
    def _preflight(origin: str) -> Response:
        return Response(
            status_code=204,
            headers={
                "Access-Control-Allow-Origin": origin,
                "Access-Control-Allow-Methods": ALLOW_METHODS,
                "Access-Control-Allow-Headers": ALLOW_HEADERS,
                "Access-Control-Expose-Headers": EXPOSE_HEADERS,
                "Access-Control-Max-Age": "600",
                "Vary": "Origin",
            },
        )
