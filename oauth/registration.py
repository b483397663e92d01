"""Dynamic client registration (RFC 7591) on Authlib's ``ClientRegistrationEndpoint``.

Registration is open (MCP clients register themselves, no initial access token). Authlib
validates the metadata claims against our server metadata; we add the redirect-URI policy,
keep only ``authorization_code``/``refresh_token``, hash the secret, and issue no secret to
public clients (``token_endpoint_auth_method: none``).
"""
from __future__ import annotations

from typing import Any

from authlib.oauth2.rfc6749 import InvalidRequestError, OAuth2Error
from authlib.oauth2.rfc7591 import ClientRegistrationEndpoint, InvalidClientMetadataError, InvalidRedirectURIError
from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from domain.core.ids import new_id
from domain.core.errors import InvalidRequest
from domain.core.json_text import loads_untrusted
from domain.orders.fields import check_strings
from oauth.clients import AUTH_METHODS, GRANT_TYPES, client_name_problem, narrow_scope, redirect_uri_problem
from oauth.hashing import new_token, token_hash
from oauth.metadata import authorization_server_metadata
from oauth.models import OAuthClient
from oauth.server import Server, call, json_request, run

MAX_BODY = 64 * 1024
NO_STORE = {"Cache-Control": "no-store", "Pragma": "no-cache"}


class Registration(ClientRegistrationEndpoint):
    def authenticate_token(self, request: Any) -> bool:
        return True  # open registration, as MCP clients expect (MCP spec, "Dynamic Client Registration")

    def get_server_metadata(self) -> dict[str, Any]:
        return authorization_server_metadata(self.server.settings)

    def extract_client_metadata(self, request: Any) -> dict[str, Any]:
        data = request.payload.data
        data["scope"] = narrow_scope(data.get("scope"))
        data.setdefault("grant_types", list(GRANT_TYPES))
        data.setdefault("response_types", ["code"])
        self._check_redirect_uris(data.get("redirect_uris"))  # RFC 7591 §3.2.2 names its own error
        metadata = super().extract_client_metadata(request)
        self._check(metadata)
        return metadata

    @staticmethod
    def _check_redirect_uris(uris: Any) -> None:
        if not isinstance(uris, list) or not uris or not all(isinstance(u, str) for u in uris):
            raise InvalidRedirectURIError("redirect_uris must be a non-empty list of URLs.")
        for uri in uris:
            problem = redirect_uri_problem(uri)
            if problem:
                raise InvalidRedirectURIError(f"redirect_uris: {uri} {problem}.")

    @staticmethod
    def _check(metadata: dict[str, Any]) -> None:
        problem = client_name_problem(metadata.get("client_name"))
        if problem:
            raise InvalidClientMetadataError(problem)
        if metadata.get("token_endpoint_auth_method") not in AUTH_METHODS:
            raise InvalidClientMetadataError("token_endpoint_auth_method must be one of " + ", ".join(AUTH_METHODS))
        if "authorization_code" not in metadata["grant_types"] or not set(metadata["grant_types"]) <= set(GRANT_TYPES):
            raise InvalidClientMetadataError("grant_types may hold only authorization_code and refresh_token.")
        if metadata["response_types"] != ["code"]:
            raise InvalidClientMetadataError("response_types must be [\"code\"].")

    def generate_client_id(self, request: Any) -> str:
        return new_id("ppc")

    def generate_client_secret(self, request: Any) -> str | None:
        if request.payload.data.get("token_endpoint_auth_method") == "none":
            return None  # public client: PKCE alone protects its codes
        return new_token("ppcs_")

    def save_client(self, client_info: dict[str, Any], client_metadata: dict[str, Any], request: Any) -> Any:
        secret = client_info.get("client_secret")
        row = OAuthClient(
            client_id=client_info["client_id"], secret_hash=token_hash(secret) if secret else None,
            auth_method=client_metadata["token_endpoint_auth_method"],
            client_name=(client_metadata.get("client_name") or None),
            redirect_uris=client_metadata["redirect_uris"], grant_types=client_metadata["grant_types"],
            response_types=client_metadata["response_types"], scope=client_metadata["scope"],
            client_metadata=client_metadata,
        )
        call(self.server.store.save_client, row)
        return row


async def register(request: Request, server: Server) -> Response:
    body = await request.body()
    if len(body) > MAX_BODY:
        return _error(InvalidRequestError("The registration request is too large."))
    try:
        data = loads_untrusted(body or b"null")
    except ValueError:
        data = None
    if not isinstance(data, dict):
        return _error(InvalidClientMetadataError("The body must be a JSON object of client metadata."))
    try:
        check_strings(data)
    except InvalidRequest as exc:
        return _error(InvalidClientMetadataError(exc.message))
    endpoint: Registration = server._endpoints["client_registration"][0]
    req = json_request(request, server, "/mcp/oauth/register", data)
    try:
        status, answer, _headers = await run(endpoint.create_registration_response, req)
    except OAuth2Error as error:
        return _error(error)
    answer = {k: v for k, v in answer.items() if v is not None}
    if "client_secret" not in answer:
        answer.pop("client_secret_expires_at", None)  # RFC 7591 §3.2.1: only with a secret
    return JSONResponse(answer, status_code=status, headers=NO_STORE)


def _error(error: OAuth2Error) -> Response:
    status, body, _ = error()
    return JSONResponse(body, status_code=status, headers=NO_STORE)
