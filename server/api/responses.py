"""JSON responses for /v1: compact, exact replays for idempotent creates."""
from __future__ import annotations

from typing import Any

from starlette.responses import JSONResponse, Response

from domain.use_cases.commands import Result


def json_response(body: Any, status: int = 200) -> Response:
    return JSONResponse(body, status_code=status)


def result_response(result: Result) -> Response:
    headers = {"Idempotent-Replayed": "true"} if result.replayed else None
    return Response(result.text, status_code=result.status, media_type="application/json", headers=headers)
