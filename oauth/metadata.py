"""Discovery documents: RFC 8414 authorization server metadata and RFC 9728 protected
resource metadata, each served at every location real clients look (docs/product.md § OAuth lists them).

The documents are plain dicts built from ``Settings`` in one place, so the issuer string is
identical in the metadata, the ``iss`` redirect parameter and the resource metadata.
"""
from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from domain.core.settings import Settings
from oauth.clients import AUTH_METHODS, GRANT_TYPES
from oauth.scopes import ALL_SCOPES
from oauth.server import issuer_of, resource_of

AS_METADATA_PATHS = (
    "/.well-known/oauth-authorization-server/mcp/oauth",  # RFC 8414 §3.1 path insertion
    "/mcp/oauth/.well-known/oauth-authorization-server",  # issuer-relative
    "/.well-known/openid-configuration/mcp/oauth",  # clients that try OIDC discovery first
    "/mcp/oauth/.well-known/openid-configuration",
    "/.well-known/oauth-authorization-server",  # 2025-03-26 clients: the origin root
)
PR_METADATA_PATHS = (
    "/.well-known/oauth-protected-resource/mcp",  # RFC 9728 §3.1 path insertion
    "/.well-known/oauth-protected-resource",
    "/mcp/.well-known/oauth-protected-resource",  # under the endpoint itself
)


def described_resource(settings: Settings, path: str) -> str:
    """The resource a protected-resource metadata location describes.

    RFC 9728 §3.1 builds the location by inserting the well-known segment before the
    resource's path, so ``/.well-known/oauth-protected-resource/mcp`` describes ``{BASE}/mcp``
    and ``…/mcp/`` describes ``{BASE}/mcp/``. Clients compare the document's ``resource`` with
    the URL they were given and refuse one whose path is longer (the TypeScript SDK's
    ``checkResourceAllowed``), so each spelling must get its own answer. The origin-root
    fallback names the shorter spelling, which a prefix check accepts for either URL; the
    location under ``/mcp/`` names ``/mcp/``.
    """
    if path.startswith("/mcp/"):
        return resource_of(settings)
    if path.startswith("/.well-known/oauth-protected-resource/mcp"):
        return resource_of(settings, slash=path.endswith("/"))
    return resource_of(settings, slash=False)
_CACHE = {"Cache-Control": "public, max-age=300", "Access-Control-Allow-Origin": "*"}


def authorization_server_metadata(settings: Settings) -> dict[str, Any]:
    issuer = issuer_of(settings)
    return {
        "issuer": issuer,
        "authorization_endpoint": f"{issuer}/authorize",
        "token_endpoint": f"{issuer}/token",
        "registration_endpoint": f"{issuer}/register",
        "revocation_endpoint": f"{issuer}/revoke",
        "scopes_supported": list(ALL_SCOPES),
        "response_types_supported": ["code"],
        "response_modes_supported": ["query"],
        "grant_types_supported": list(GRANT_TYPES),
        "token_endpoint_auth_methods_supported": list(AUTH_METHODS),
        "revocation_endpoint_auth_methods_supported": list(AUTH_METHODS),
        "code_challenge_methods_supported": ["S256"],
        "client_id_metadata_document_supported": True,
        "authorization_response_iss_parameter_supported": True,
        "service_documentation": f"{settings.base_url}/api/docs/mcp",
    }


def protected_resource_metadata(settings: Settings, resource: str | None = None) -> dict[str, Any]:
    return {
        "resource": resource or resource_of(settings),
        "authorization_servers": [issuer_of(settings)],
        "scopes_supported": list(ALL_SCOPES),
        "bearer_methods_supported": ["header"],
        "resource_name": "PieterPost MCP",
        "resource_documentation": f"{settings.base_url}/api/docs/mcp",
    }


def both_slashes(path: str) -> tuple[str, str]:
    """Each location answers with and without a trailing slash, never by redirect."""
    return path.rstrip("/"), path.rstrip("/") + "/"


def routes(settings: Settings) -> list[Route]:
    as_doc = authorization_server_metadata(settings)

    async def as_endpoint(request: Request) -> Response:
        return _answer(request, as_doc)

    def pr_endpoint(doc: dict[str, Any]) -> Any:
        async def endpoint(request: Request) -> Response:
            return _answer(request, doc)

        return endpoint

    out: list[Route] = []
    for path in AS_METADATA_PATHS:
        out += [Route(p, as_endpoint, methods=["GET", "HEAD", "OPTIONS"]) for p in both_slashes(path)]
    for path in PR_METADATA_PATHS:
        for p in both_slashes(path):
            doc = protected_resource_metadata(settings, described_resource(settings, p))
            out.append(Route(p, pr_endpoint(doc), methods=["GET", "HEAD", "OPTIONS"]))
    return out


def _answer(request: Request, doc: dict[str, Any]) -> Response:
    if request.method == "OPTIONS":  # browser clients (MCP Inspector) preflight discovery
        return Response(status_code=204, headers={**_CACHE, "Access-Control-Allow-Methods": "GET, OPTIONS",
                                                  "Access-Control-Allow-Headers": "*"})
    return JSONResponse(doc, headers=_CACHE)
