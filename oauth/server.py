"""Authlib's ``AuthorizationServer`` fitted to Starlette and to our async database.

Authlib's grant logic is synchronous and calls storage hooks (``query_client``,
``save_token``…) in the middle of its checks. We run each Authlib call in a worker thread
(``run``) and let the hooks hop back onto the event loop for the async store (``call``).
No state lives here between requests: everything is read from and written to the database.
"""
from __future__ import annotations

import base64
import binascii
import logging
from collections import defaultdict
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, TypeVar

import anyio.from_thread
import anyio.to_thread
from authlib.oauth2.rfc6749 import AuthorizationServer, OAuth2Request
from authlib.oauth2.rfc6749.requests import JsonRequest, OAuth2Payload
from authlib.oauth2.rfc9207 import IssuerParameter
from starlette.datastructures import Headers

from domain.core.clock import utcnow
from domain.core.settings import Settings
from oauth.hashing import new_token
from oauth.scopes import ALL_SCOPES

T = TypeVar("T")

# Authlib logs issued token dicts at DEBUG; never let secrets reach the logs, whatever LOG_LEVEL says.
logging.getLogger("authlib").setLevel(logging.INFO)

CODE_TTL = timedelta(seconds=60)  # single-use codes (docs/product.md § OAuth)
ACCESS_TTL = timedelta(hours=1)
REFRESH_TTL = timedelta(days=30)  # each rotation starts a new 30-day window
ACCESS_PREFIX = "ppat_"
REFRESH_PREFIX = "pprt_"


def call(fn: Callable[..., Awaitable[T]], *args: Any) -> T:
    """From inside an Authlib hook (worker thread): run an async store call on the loop."""
    return anyio.from_thread.run(fn, *args)


async def run(fn: Callable[..., T], *args: Any) -> T:
    """From the event loop: run a synchronous Authlib call in a worker thread."""
    return await anyio.to_thread.run_sync(fn, *args)


def issuer_of(settings: Settings) -> str:
    """The issuer identifier, built in this one place so it is string-identical everywhere."""
    return f"{settings.base_url}/mcp/oauth"


def resource_of(settings: Settings, *, slash: bool = True) -> str:
    """The protected resource: the MCP endpoint, ``{BASE_URL}/mcp/`` (canonical) or, spelled
    without the trailing slash, ``{BASE_URL}/mcp``. Both name the same endpoint; tokens bound
    to either work on both (``oauth.bearer``)."""
    return f"{settings.base_url}/mcp/" if slash else f"{settings.base_url}/mcp"


class Payload(OAuth2Payload):
    """Request parameters with repeats kept (RFC 6749 §3.1 refuses repeated parameters)."""

    def __init__(self, items: list[tuple[str, str]]) -> None:
        self._datalist: defaultdict[str, list[str]] = defaultdict(list)
        for key, value in items:
            self._datalist[key].append(value)
        self._data = {key: values[0] for key, values in self._datalist.items()}

    @property
    def data(self) -> dict[str, str]:
        return self._data

    @property
    def datalist(self) -> defaultdict[str, list[str]]:
        return self._datalist


class Request(OAuth2Request):
    def __init__(self, method: str, uri: str, headers: Headers, query: list[tuple[str, str]],
                 form: list[tuple[str, str]]) -> None:
        super().__init__(method, uri, headers=headers)
        self.payload = Payload(query + form)
        self._form = {key: value for key, value in reversed(form)}
        self._args = {key: value for key, value in reversed(query)}

    @property
    def form(self) -> dict[str, str]:
        return self._form

    @property
    def args(self) -> dict[str, str]:
        return self._args


class JsonBody:
    def __init__(self, data: dict[str, Any]) -> None:
        self.data = data


@dataclass
class Result:
    """What Authlib answered: status, body (dict or str) and headers; ``location`` for redirects."""

    status: int
    body: Any
    headers: list[tuple[str, str]] = field(default_factory=list)

    @property
    def location(self) -> str | None:
        return next((v for k, v in self.headers if k.lower() == "location"), None)

    @location.setter
    def location(self, value: str) -> None:
        self.headers = [(k, v) for k, v in self.headers if k.lower() != "location"] + [("Location", value)]


class _Issuer(IssuerParameter):
    def __init__(self, issuer: str) -> None:
        self._issuer = issuer

    def get_issuer(self) -> str:
        return self._issuer


class Server(AuthorizationServer):
    """One per app; holds configuration only. ``now`` is injectable for expiry tests."""

    def __init__(self, settings: Settings, store: Any, clients: Any,
                 now: Callable[[], datetime] = utcnow) -> None:
        super().__init__(scopes_supported=list(ALL_SCOPES))
        self.settings = settings
        self.store = store
        self.clients = clients
        self.now = now
        self.issuer = issuer_of(settings)
        self.resource = resource_of(settings)
        self.register_token_generator("default", self._generate_token)
        self.register_extension(_Issuer(self.issuer))  # RFC 9207 iss on every redirect

    # --- Authlib framework hooks ---
    def query_client(self, client_id: str) -> Any:
        return call(self.clients.get, client_id)

    def save_token(self, token: dict[str, Any], request: Any) -> None:  # grants override per type
        raise NotImplementedError

    def create_oauth2_request(self, request: Any) -> Any:
        return request  # callers build ``Request`` before leaving the event loop

    def create_json_request(self, request: Any) -> Any:
        return request

    def handle_response(self, status: int, body: Any, headers: list[tuple[str, str]]) -> Result:
        return Result(status, body, list(headers))

    def send_signal(self, name: str, *args: Any, **kwargs: Any) -> None:
        return None

    def _generate_token(self, grant_type: str, client: Any, user: Any = None, scope: str | None = None,
                        expires_in: int | None = None, include_refresh_token: bool = True) -> dict[str, Any]:
        token: dict[str, Any] = {
            "token_type": "Bearer",
            "access_token": new_token(ACCESS_PREFIX),
            "expires_in": int(ACCESS_TTL.total_seconds()),
            "scope": scope or "",
        }
        if include_refresh_token:
            token["refresh_token"] = new_token(REFRESH_PREFIX)
        return token


async def build_request(request: Any, server: Server, path: str) -> Request:
    """Turn a Starlette request into an Authlib request (reads the form on the loop)."""
    form: list[tuple[str, str]] = []
    if request.method == "POST":
        content_type = request.headers.get("content-type", "")
        if content_type.startswith("application/x-www-form-urlencoded"):
            data = await request.form()
            form = [(k, v) for k, v in data.multi_items() if isinstance(v, str)]
    query = list(request.query_params.multi_items())
    headers = request.headers
    if _unreadable_basic_credentials(headers.get("authorization")):
        # Authlib decodes Basic credentials as UTF-8 without a guard (a 500); without the header
        # the client simply did not authenticate: 401 invalid_client (RFC 6749 §5.2).
        headers = Headers(raw=[(k, v) for k, v in headers.raw if k.lower() != b"authorization"])
    return Request(request.method, f"{server.settings.base_url}{path}", headers, query, form)


def _unreadable_basic_credentials(value: str | None) -> bool:
    scheme, _, token = (value or "").partition(" ")
    if scheme.lower() != "basic":
        return False
    try:
        base64.b64decode(token.strip(), validate=False).decode("utf-8")
    except (binascii.Error, ValueError):  # UnicodeDecodeError is a ValueError
        return True
    return False


def json_request(request: Any, server: Server, path: str, data: dict[str, Any]) -> JsonRequest:
    req = JsonRequest(request.method, f"{server.settings.base_url}{path}", request.headers)
    req.payload = JsonBody(data)
    return req
