"""The ``upload_asset`` MCP tool's domain function: ``fileBase64`` or ``fileUrl``.

Both sources end in the same staging and validation path as REST uploads
(``service.store_staged``). The declared ``contentType`` is required by the tool schema but
not trusted: the stored type is the one sniffed from the bytes.
"""
from __future__ import annotations

import base64
import binascii
import re
from collections.abc import Mapping
from typing import Any

from domain.assets.kinds import MAX_UPLOAD_BYTES
from domain.assets.service import parse_kind, storage_for, store_staged, upload_stream
from domain.adapters.asset_storage import AssetStorage, chunks_of
from domain.core.context import Caller
from domain.persistence.db import Database
from domain.core.errors import InvalidRequest, PayloadTooLarge
from domain.adapters.http.netfetch import open_public_url
from domain.core.settings import Settings

_SPACE = re.compile(r"\s+")


def decode_base64(text: str, field: str = "fileBase64") -> bytes:
    """Standard or URL-safe base64, padding optional, an optional ``data:…;base64,`` prefix."""
    if text.startswith("data:") and ";base64," in text[:200]:
        text = text.split(",", 1)[1]
    compact = _SPACE.sub("", text)
    if len(compact) * 3 // 4 > MAX_UPLOAD_BYTES:
        raise PayloadTooLarge(f"{field}: larger than the {MAX_UPLOAD_BYTES // (1024 * 1024)} MB upload limit",
                              field=field)
    compact += "=" * (-len(compact) % 4)
    try:
        if "-" in compact or "_" in compact:
            return base64.urlsafe_b64decode(compact)
        return base64.b64decode(compact, validate=True)
    except (binascii.Error, ValueError):
        raise InvalidRequest(f"{field} is not valid base64", field=field) from None


def _required_text(arguments: Mapping[str, Any], name: str) -> str:
    value = arguments.get(name)
    if not isinstance(value, str) or not value.strip():
        raise InvalidRequest(f"{name} is required and must be a non-empty string", field=name)
    return value


async def upload_asset(db: Database, settings: Settings, caller: Caller, arguments: Mapping[str, Any], *,
                       fetch_options: Mapping[str, Any] | None = None,
                       storage: AssetStorage | None = None) -> dict[str, Any]:
    """Store the file given inline or by public https URL; returns the upload response."""
    kind = parse_kind(arguments.get("kind"))
    file_name = _required_text(arguments, "fileName")
    _required_text(arguments, "contentType")  # required by the schema; the bytes decide the type
    inline, url = arguments.get("fileBase64"), arguments.get("fileUrl")
    if (inline is None) == (url is None):
        raise InvalidRequest("provide exactly one of fileBase64 or fileUrl", field="fileBase64")
    if inline is not None:
        if not isinstance(inline, str):
            raise InvalidRequest("fileBase64 must be a string", field="fileBase64")
        data = decode_base64(inline)
        return await upload_stream(db, settings, caller, kind=kind, chunks=chunks_of(data),
                                   original_name=file_name, field="fileBase64", storage=storage)
    if not isinstance(url, str):
        raise InvalidRequest("fileUrl must be a string", field="fileUrl")
    storage = storage or storage_for(settings)
    async with open_public_url(url, field="fileUrl", **dict(fetch_options or {})) as fetched:
        staged = await storage.stage(fetched.chunks, max_bytes=MAX_UPLOAD_BYTES, field="fileUrl")
    return await store_staged(db, settings, caller, staged, kind=kind, original_name=file_name,
                              field="fileUrl", storage=storage)
