"""Token revocation (RFC 7009) on Authlib's ``RevocationEndpoint``.

Revoking a refresh token ends the whole grant (every access token of the family, RFC 7009
§2.1 SHOULD); revoking an access token ends that token only. Unknown tokens answer 200.
"""
from __future__ import annotations

from typing import Any

from authlib.oauth2.rfc7009 import RevocationEndpoint
from starlette.requests import Request
from starlette.responses import Response

from oauth.grants import CLIENT_AUTH_METHODS
from oauth.hashing import token_hash
from oauth.server import Server, build_request, call, run
from oauth.store import TokenView
from oauth.token import to_response


class Revocation(RevocationEndpoint):
    CLIENT_AUTH_METHODS = CLIENT_AUTH_METHODS

    def query_token(self, token_string: str, token_type_hint: str | None) -> TokenView | None:
        return call(self.server.store.get_token, token_hash(token_string))

    def revoke_token(self, token: TokenView, request: Any) -> None:
        now = self.server.now()
        if token.kind == "refresh":
            call(self.server.store.revoke_grant, token.grant.id, now, "revoked_by_client")
        else:
            call(self.server.store.revoke_token, token.token_hash, now)


async def revoke(request: Request, server: Server) -> Response:
    req = await build_request(request, server, "/mcp/oauth/revoke")
    result = await run(server.create_endpoint_response, Revocation.ENDPOINT_NAME, req)
    return to_response(result)
