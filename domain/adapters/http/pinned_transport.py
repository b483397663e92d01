"""An httpx transport that connects only to addresses checked beforehand.

httpx has no public hook to choose the address it connects to, so this wraps an httpcore
connection pool with a network backend that looks the (host, port) up in a table of
pinned, already-checked addresses instead of resolving the name again. The URL keeps the
host name, so TLS SNI, certificate verification and the Host header are unchanged.
Hand-written (about 60 lines) because httpx only exposes the backend through private
attributes; it mirrors httpx's own ``AsyncHTTPTransport.handle_async_request``.
"""
from __future__ import annotations

import ssl
import typing
from collections.abc import AsyncIterator, Callable, Iterable

import httpcore
import httpx

# Maps a checked (address, port) to where the socket really goes: identity in production;
# tests map public-looking addresses to a TLS server on loopback.
Dialer = Callable[[str, int], tuple[str, int]]


class _PinnedBackend(httpcore.AsyncNetworkBackend):
    def __init__(self, pins: dict[tuple[str, int], str], dialer: Dialer | None) -> None:
        self._pins = pins
        self._dialer = dialer or (lambda address, port: (address, port))
        self._inner = httpcore.AnyIOBackend()

    async def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: Iterable[typing.Any] | None = None,
    ) -> httpcore.AsyncNetworkStream:
        address = self._pins.get((host.lower(), port))
        if address is None:
            raise httpcore.ConnectError(f"{host}:{port} was not checked before connecting")
        dial_host, dial_port = self._dialer(address, port)
        return await self._inner.connect_tcp(
            dial_host, dial_port, timeout=timeout, local_address=local_address, socket_options=socket_options
        )

    async def connect_unix_socket(self, path: str, timeout: float | None = None, socket_options=None):
        raise httpcore.ConnectError("unix sockets are not allowed")

    async def sleep(self, seconds: float) -> None:
        await self._inner.sleep(seconds)


class _Stream(httpx.AsyncByteStream):
    def __init__(self, stream: typing.AsyncIterable[bytes]) -> None:
        self._stream = stream

    async def __aiter__(self) -> AsyncIterator[bytes]:
        try:
            async for part in self._stream:
                yield part
        except httpcore.TimeoutException as exc:
            raise httpx.ReadTimeout(str(exc)) from exc
        except httpcore.ConnectionNotAvailable as exc:
            raise httpx.ReadError(str(exc)) from exc
        except (httpcore.NetworkError, httpcore.ProtocolError) as exc:
            raise httpx.ReadError(str(exc)) from exc

    async def aclose(self) -> None:
        if hasattr(self._stream, "aclose"):
            await self._stream.aclose()


class PinnedTransport(httpx.AsyncBaseTransport):
    def __init__(self, pins: dict[tuple[str, int], str], ssl_context: ssl.SSLContext, *, dialer: Dialer | None = None):
        backend = _PinnedBackend(pins, dialer)
        self._pool = httpcore.AsyncConnectionPool(ssl_context=ssl_context, network_backend=backend, http2=False)

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        core_request = httpcore.Request(
            method=request.method,
            url=httpcore.URL(
                scheme=request.url.raw_scheme,
                host=request.url.raw_host,
                port=request.url.port,
                target=request.url.raw_path,
            ),
            headers=request.headers.raw,
            content=request.stream,
            extensions=request.extensions,
        )
        try:
            response = await self._pool.handle_async_request(core_request)
        except httpcore.TimeoutException as exc:
            raise httpx.TimeoutException(str(exc), request=request) from exc
        except (httpcore.NetworkError, httpcore.ProtocolError, httpcore.UnsupportedProtocol) as exc:
            raise httpx.ConnectError(str(exc), request=request) from exc
        return httpx.Response(
            status_code=response.status,
            headers=response.headers,
            stream=_Stream(typing.cast(typing.AsyncIterable[bytes], response.stream)),
            extensions=response.extensions,
        )

    async def aclose(self) -> None:
        await self._pool.aclose()
