"""Fetch a user-supplied https URL without letting it reach private networks (SSRF).

Every hop (the first URL and each of at most 3 redirects) is checked by ``netguard``; the
host is resolved once, every address must be public, and the connection goes to the
checked address: a pinning network backend under httpx refuses any host/port it was not
handed, so there is no second DNS lookup a rebinding server could answer differently.
TLS still verifies the certificate for the host name (SNI and Host stay the name).
"""
from __future__ import annotations

import socket
import ssl
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass
from dataclasses import field as dc_field

import anyio
import certifi
import httpx

from domain.assets.kinds import MAX_UPLOAD_BYTES
from domain.core.errors import PayloadTooLarge
from domain.adapters.http.netguard import Target, check_address, check_url, refuse
from domain.adapters.http.pinned_transport import Dialer, PinnedTransport

Resolver = Callable[[str, int], Awaitable[list[str]]]
_REDIRECTS = {301, 302, 303, 307, 308}


@dataclass(frozen=True)
class FetchLimits:
    max_bytes: int = MAX_UPLOAD_BYTES
    max_redirects: int = 3
    connect_timeout: float = 5.0
    read_timeout: float = 10.0
    total_timeout: float = 30.0


@dataclass
class Fetched:
    url: str  # the final URL after redirects
    content_type: str | None  # as the server claimed it (informational; content is sniffed)
    chunks: AsyncIterator[bytes]
    headers: dict[str, str] = dc_field(default_factory=dict)  # lower-case names (OAuth CIMD reads caching)


async def system_resolver(host: str, port: int) -> list[str]:
    infos = await anyio.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    return [str(info[4][0]) for info in infos]


async def _pin(target: Target, resolver: Resolver, pins: dict[tuple[str, int], str], field: str) -> None:
    if target.literal is not None:
        pins[(target.host, target.port)] = str(target.literal)
        return
    try:
        addresses = await resolver(target.host.rstrip("."), target.port)
    except (OSError, UnicodeError):
        raise refuse(field, "the host name could not be resolved") from None
    if not addresses:
        raise refuse(field, "the host name could not be resolved")
    checked = [check_address(address, field) for address in addresses]  # all, not just the first
    pins[(target.host, target.port)] = str(checked[0])


async def _body(response: httpx.Response, max_bytes: int, field: str) -> AsyncIterator[bytes]:
    received = 0
    try:
        async for chunk in response.aiter_bytes():
            received += len(chunk)
            if received > max_bytes:
                raise PayloadTooLarge(f"{field}: the file is larger than {max_bytes} bytes", field=field)
            yield chunk
    except httpx.HTTPError as exc:
        raise refuse(field, f"download failed ({type(exc).__name__})") from None


@asynccontextmanager
async def open_public_url(
    url: str,
    *,
    field: str = "fileUrl",
    limits: FetchLimits = FetchLimits(),
    resolver: Resolver = system_resolver,
    dialer: Dialer | None = None,
    ssl_context: ssl.SSLContext | None = None,
) -> AsyncIterator[Fetched]:
    """Open ``url`` for streaming after the SSRF checks; the body is capped at ``max_bytes``."""
    pins: dict[tuple[str, int], str] = {}
    context = ssl_context or ssl.create_default_context(cafile=certifi.where())
    timeout = httpx.Timeout(limits.read_timeout, connect=limits.connect_timeout)
    headers = {"User-Agent": "PieterPost-fetch/1", "Accept-Encoding": "identity"}
    transport = PinnedTransport(pins, context, dialer=dialer)
    try:
        with anyio.fail_after(limits.total_timeout):
            async with httpx.AsyncClient(transport=transport, timeout=timeout, headers=headers, trust_env=False) as client:
                for _hop in range(limits.max_redirects + 1):
                    target = check_url(url, field)
                    await _pin(target, resolver, pins, field)
                    response = await client.send(client.build_request("GET", target.url), stream=True)
                    try:
                        if response.status_code in _REDIRECTS and response.headers.get("location"):
                            url = str(target.url.join(response.headers["location"]))
                            continue
                        if response.status_code != 200:
                            raise refuse(field, f"the server answered HTTP {response.status_code}")
                        declared = response.headers.get("content-length", "")
                        if declared.isdigit() and int(declared) > limits.max_bytes:
                            raise PayloadTooLarge(f"{field}: the file is larger than {limits.max_bytes} bytes", field=field)
                        yield Fetched(str(target.url), response.headers.get("content-type"), _body(response, limits.max_bytes, field),
                                      {k.lower(): v for k, v in response.headers.items()})
                        return
                    finally:
                        await response.aclose()
                raise refuse(field, f"more than {limits.max_redirects} redirects")
    except TimeoutError:
        raise refuse(field, f"the download took longer than {limits.total_timeout:g} s") from None
    except httpx.HTTPError as exc:
        raise refuse(field, f"could not fetch the URL ({type(exc).__name__})") from None
