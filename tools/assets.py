"""upload_asset: the MCP form of ``POST /v1/uploads`` (bytes as base64, or a public https URL).

Decoding base64 is the only MCP-specific step; sniffing, per-kind checks, storage and the
SSRF-safe fetch of ``fileUrl`` are the domain's (``domain.assets``), shared with REST.
"""
from __future__ import annotations

import base64
import binascii
from collections.abc import AsyncIterator
from typing import Any

from domain.assets.kinds import MAX_UPLOAD_BYTES, AssetKind
from domain.errors import InvalidRequest, PayloadTooLarge
from tools.context import ToolEnv, mode_of


def _kind(value: str) -> AssetKind:
    try:
        return AssetKind(value)
    except ValueError:
        allowed = ", ".join(f'"{k.value}"' for k in AssetKind)
        raise InvalidRequest(f"kind must be one of {allowed}", field="kind") from None


def decode_base64(text: str) -> bytes:
    # 4 base64 characters carry 3 bytes: refuse oversize input before decoding it
    if len(text) > (MAX_UPLOAD_BYTES // 3 + 1) * 4 + 4:
        raise PayloadTooLarge("fileBase64: larger than the 50 MB upload limit", field="fileBase64")
    compact = "".join(text.split())
    if compact.startswith("data:") and "," in compact:  # tolerate a data: URL prefix
        compact = compact.split(",", 1)[1]
    try:
        return base64.b64decode(compact, validate=True)
    except (binascii.Error, ValueError):
        raise InvalidRequest("fileBase64 is not valid base64", field="fileBase64") from None


async def _one_chunk(data: bytes) -> AsyncIterator[bytes]:
    yield data


async def upload_asset(env: ToolEnv, args: dict[str, Any]) -> dict[str, Any]:
    from domain.assets import service  # lands with the asset service (REST /v1/uploads)

    kind = _kind(args["kind"])
    has_b64, has_url = args.get("fileBase64") is not None, args.get("fileUrl") is not None
    if has_b64 == has_url:
        raise InvalidRequest("Give exactly one of fileBase64 or fileUrl", field="fileBase64")
    caller = await env.caller(mode_of(args))
    common = {"kind": kind, "file_name": args["fileName"], "content_type": args["contentType"]}
    if has_b64:
        data = decode_base64(args["fileBase64"])
        return await service.upload(env.db, env.settings, caller, chunks=_one_chunk(data), field="fileBase64", **common)
    return await service.upload_from_url(env.db, env.settings, caller, url=args["fileUrl"], field="fileUrl", **common)


TOOLS = {"upload_asset": upload_asset}
