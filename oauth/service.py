"""Assembles the authorization server and its protocol routes.

The service object holds configuration only (settings, database handle, clock, fetcher), so
any number of processes built from the same settings and database behave as one.
"""
from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from domain.core.clock import utcnow
from domain.persistence.db import Database
from domain.core.settings import Settings
from oauth import metadata
from oauth.cimd import CimdResolver, Fetcher, is_cimd_url, netfetch_fetcher
from oauth.clients import Client
from oauth.grants import CodeGrant, RefreshGrant
from oauth.pkce import S256Only
from oauth.registration import Registration, register
from oauth.revocation import Revocation, revoke
from oauth.server import Server
from oauth.store import SqlStore
from oauth.token import token

CORS = {"Access-Control-Allow-Origin": "*", "Access-Control-Allow-Methods": "POST, OPTIONS",
        "Access-Control-Allow-Headers": "Authorization, Content-Type, Mcp-Protocol-Version",
        "Access-Control-Max-Age": "600"}


class ClientDirectory:
    """Finds a client by id: a registered one in the database, or a CIMD URL fetched and cached."""

    def __init__(self, store: SqlStore, cimd: CimdResolver) -> None:
        self.store = store
        self.cimd = cimd

    async def get(self, client_id: str) -> Client | None:
        if not client_id:
            return None
        if is_cimd_url(client_id):
            return await self.cimd.get(client_id)
        row = await self.store.get_client(client_id)
        return Client.from_row(row) if row is not None else None


@dataclass
class OAuthService:
    settings: Settings
    db: Database
    store: SqlStore
    server: Server
    clients: ClientDirectory


def build(settings: Settings, db: Database, *, now: Callable[[], datetime] = utcnow,
          fetch: Fetcher | None = None) -> OAuthService:
    store = SqlStore(db)
    clients = ClientDirectory(store, CimdResolver(db, fetch or netfetch_fetcher(), now))
    server = Server(settings, store, clients, now)
    server.register_grant(CodeGrant, [S256Only()])
    server.register_grant(RefreshGrant)
    server.register_endpoint(Revocation)
    server.register_endpoint(Registration(server))
    return OAuthService(settings, db, store, server, clients)


def get_service(request: Request) -> OAuthService:
    """The service ``create_app`` built for this app."""
    return request.app.state.oauth


def _endpoint(handler: Callable[[Request, Server], Awaitable[Response]]) -> Callable[..., Any]:
    async def endpoint(request: Request) -> Response:
        if request.method == "OPTIONS":  # browser-based clients (MCP Inspector) preflight
            return Response(status_code=204, headers=CORS)
        response = await handler(request, get_service(request).server)
        response.headers["Access-Control-Allow-Origin"] = "*"
        return response

    return endpoint


def build_routes(settings: Settings) -> list[Route]:
    """Token, registration and revocation endpoints (issuer paths and origin fallbacks, with
    and without trailing slash) plus every metadata location. The authorization endpoint and
    the pages come from ``server.web.oauth_pages.build_routes``."""
    table = {
        token: ("/mcp/oauth/token", "/token"),
        register: ("/mcp/oauth/register", "/register"),
        revoke: ("/mcp/oauth/revoke",),
    }
    out: list[Route] = []
    for handler, paths in table.items():
        endpoint = _endpoint(handler)
        for path in paths:
            out += [Route(p, endpoint, methods=["POST", "OPTIONS"]) for p in metadata.both_slashes(path)]
    return out + metadata.routes(settings)
