"""One webhook POST with the outbound safety rules: SSRF checks, pinned connect, hard timeout,
capped response read, no redirects followed.

Unless ``webhook_allow_private_targets`` is set, the URL's host is checked by ``netguard``,
resolved once per attempt, every address must be public, and the socket goes to the checked
address (``PinnedTransport``), so DNS rebinding cannot reach the internal network. The whole
attempt (connect, send, read) must finish within ``webhook_timeout_seconds``; at most
``webhook_max_response_bytes`` of the answer are read, a longer answer is cut off and counts
as a failed attempt.
"""
from __future__ import annotations

import ssl
import time
from dataclasses import dataclass

import anyio
import certifi
import httpx

from domain.adapters.http.netfetch import Resolver, system_resolver
from domain.adapters.http.netguard import check_address, check_url
from domain.adapters.http.pinned_transport import Dialer, PinnedTransport
from domain.core.errors import InvalidRequest
from domain.core.settings import Settings

EXCERPT_CHARS = 500
USER_AGENT = "PieterPost-Webhooks/1"


@dataclass(frozen=True)
class Sent:
    ok: bool
    retry: bool  # worth trying again later (timeout, connection error, 5xx, 408/429, oversized answer)
    status_code: int | None
    duration_ms: int
    excerpt: str | None
    error: str | None


class Sender:
    """Shared connections for one worker round; ``aclose`` when the round ends."""

    def __init__(self, settings: Settings, *, resolver: Resolver = system_resolver, dialer: Dialer | None = None,
                 ssl_context: ssl.SSLContext | None = None) -> None:
        self.settings = settings
        self._resolver = resolver
        self._pins: dict[tuple[str, int], str] = {}
        timeout = httpx.Timeout(settings.webhook_timeout_seconds)
        common = {"timeout": timeout, "trust_env": False, "follow_redirects": False,
                  "headers": {"User-Agent": USER_AGENT}}
        if settings.webhook_allow_private_targets:
            self._client = httpx.AsyncClient(**common)  # type: ignore[arg-type]
        else:
            context = ssl_context or ssl.create_default_context(cafile=certifi.where())
            self._client = httpx.AsyncClient(transport=PinnedTransport(self._pins, context, dialer=dialer),
                                             **common)  # type: ignore[arg-type]

    async def _pin(self, url: str) -> None:
        parsed = httpx.URL(url)
        port = parsed.port or (443 if parsed.scheme == "https" else 80)
        target = check_url(str(parsed.copy_with(scheme="https", port=port)), "url")
        if target.literal is not None:
            self._pins[(target.host, port)] = str(target.literal)
            return
        try:
            addresses = await self._resolver(target.host.rstrip("."), port)
        except (OSError, UnicodeError):
            raise InvalidRequest("url: the host name could not be resolved", field="url") from None
        if not addresses:
            raise InvalidRequest("url: the host name could not be resolved", field="url")
        checked = [check_address(address, "url") for address in addresses]
        self._pins[(target.host, port)] = str(checked[0])

    async def post(self, url: str, body: bytes, headers: dict[str, str]) -> Sent:
        started = time.perf_counter()

        def took() -> int:
            return int((time.perf_counter() - started) * 1000)

        limit = self.settings.webhook_max_response_bytes
        try:
            with anyio.fail_after(self.settings.webhook_timeout_seconds):
                if not self.settings.webhook_allow_private_targets:
                    await self._pin(url)
                request = self._client.build_request(
                    "POST", url, content=body, headers={**headers, "content-type": "application/json"})
                response = await self._client.send(request, stream=True)
                try:
                    received = bytearray()
                    too_big = False
                    async for chunk in response.aiter_raw():
                        received += chunk
                        if len(received) > limit:
                            too_big = True
                            break
                finally:
                    await response.aclose()
        except TimeoutError:
            return Sent(False, True, None, took(), None,
                        f"timed out after {self.settings.webhook_timeout_seconds:g} s")
        except InvalidRequest as exc:  # the host is (now) private or unresolvable
            return Sent(False, True, None, took(), None, f"refused: {exc.message}")
        except httpx.HTTPError as exc:
            return Sent(False, True, None, took(), None, f"connection failed ({type(exc).__name__})")
        excerpt = bytes(received[:EXCERPT_CHARS * 4]).decode("utf-8", "replace")[:EXCERPT_CHARS]
        status = response.status_code
        if too_big:
            return Sent(False, True, status, took(), excerpt, f"response larger than {limit} bytes; cut off")
        if 200 <= status < 300:
            return Sent(True, False, status, took(), excerpt, None)
        retry = status >= 500 or status in (408, 425, 429)
        return Sent(False, retry, status, took(), excerpt, f"HTTP {status}")

    async def aclose(self) -> None:
        await self._client.aclose()
