"""``POST /v1/uploads`` (multipart ``kind`` + ``file``) and ``GET /api/public-assets/{assetId}``."""
from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response, StreamingResponse
from starlette.routing import Route

from domain.assets.inspect import MAX_IMAGE_PIXELS, POSTCARD_MIN_SIDE
from domain.assets.kinds import MAX_UPLOAD_BYTES
from domain.assets.service import open_public_asset, parse_kind, storage_for, store_staged
from domain.use_cases.system import Database
from domain.core.errors import InvalidRequest, PayloadTooLarge
from domain.core.settings import Settings
from server.api.auth import api_context
from server.api.multipart import UploadForm, stream_file_part
from server.api.openapi import EXTRA_PATHS, _op
from server.api.responses import json_response

# Room for the multipart framing and the kind field around a file of the maximum size.
MULTIPART_OVERHEAD = 64 * 1024


def _refuse_declared_oversize(request: Request) -> None:
    """Answer 413 before reading anything when Content-Length already says too much."""
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > MAX_UPLOAD_BYTES + MULTIPART_OVERHEAD:
        raise PayloadTooLarge(f"file: larger than the {MAX_UPLOAD_BYTES // (1024 * 1024)} MB upload limit",
                              field="file")


async def upload(request: Request) -> Response:
    ctx = await api_context(request)
    _refuse_declared_oversize(request)
    storage = storage_for(ctx.settings)
    form = UploadForm()
    staged = await storage.stage(stream_file_part(request, form), max_bytes=MAX_UPLOAD_BYTES, field="file")
    try:
        if not form.file_seen:
            raise InvalidRequest("file is required (multipart field file)", field="file")
        kind = parse_kind(form.fields.get("kind"))
    except BaseException:
        await storage.discard(staged)
        raise
    view = await store_staged(ctx.db, ctx.settings, ctx.caller, staged, kind=kind, original_name=form.filename,
                              storage=storage)
    return json_response(view)


async def public_asset(request: Request) -> Response:
    db: Database = request.app.state.db
    settings: Settings = request.app.state.settings
    asset, chunks = await open_public_asset(db, settings, request.path_params["asset_id"])
    headers = {
        "Content-Length": str(asset.size),
        "Cache-Control": "public, max-age=3600",
        "X-Content-Type-Options": "nosniff",
        "Content-Disposition": f'inline; filename="{asset.name}"',
    }
    return StreamingResponse(chunks, media_type=asset.content_type, headers=headers)


ASSET_SCHEMA = {
    "type": "object", "additionalProperties": False,
    "required": ["assetId", "contentType", "kind", "name", "originalName", "publicUrl", "size"],
    "properties": {
        "assetId": {"type": "string"},
        "contentType": {"type": "string", "enum": ["application/pdf", "image/png", "image/jpeg"]},
        "kind": {"type": "string", "enum": ["postcard-image", "letter-attachment", "letter-stamp-image"]},
        "name": {"type": "string"}, "originalName": {"type": ["string", "null"]},
        "publicUrl": {"type": ["string", "null"], "description": "Set for postcard images only."},
        "size": {"type": "integer", "description": "Bytes as uploaded."},
    },
}


def _openapi(base_url: str) -> dict:
    operation = _op("Upload a temporary asset (kept 7 days, or with the order that uses it)", ASSET_SCHEMA,
                    errors=(400, 401, 413, 429))
    operation["requestBody"] = {"required": True, "content": {"multipart/form-data": {"schema": {
        "type": "object", "required": ["kind", "file"], "properties": {
            "kind": ASSET_SCHEMA["properties"]["kind"],
            "file": {"type": "string", "format": "binary", "description": "PDF, PNG or JPEG, at most 50 MB; "
                     "the type is read from the content. postcard-image: PNG or JPEG, square 1:1 (within 1 %), "
                     f"at least {POSTCARD_MIN_SIDE} px a side and at most {MAX_IMAGE_PIXELS:,} pixels."}}}}}}
    return {"/v1/uploads": {"post": operation}}


EXTRA_PATHS.append(_openapi)

routes = [
    Route("/v1/uploads", upload, methods=["POST"]),
    Route("/api/public-assets/{asset_id}", public_asset, methods=["GET"]),
]
