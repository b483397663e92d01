"""The token endpoint: Authlib picks the grant (``grants.py``) and checks the request.

Answers carry ``Cache-Control: no-store`` (RFC 6749 §5.1) whatever the outcome.
"""
from __future__ import annotations

import json

from starlette.requests import Request
from starlette.responses import Response

from oauth.server import Result, Server, build_request, run

NO_STORE = {"Cache-Control": "no-store", "Pragma": "no-cache"}


async def token(request: Request, server: Server) -> Response:
    req = await build_request(request, server, "/mcp/oauth/token")
    result = await run(server.create_token_response, req)
    return to_response(result)


def to_response(result: Result) -> Response:
    """Render an Authlib answer: JSON for dict bodies, with no-store caching always."""
    headers = {k: v for k, v in result.headers if k.lower() not in ("content-type", "cache-control", "pragma")}
    headers.update(NO_STORE)
    if isinstance(result.body, dict):
        return Response(json.dumps(result.body), status_code=result.status, headers=headers,
                        media_type="application/json")
    return Response(result.body or b"", status_code=result.status, headers=headers)
