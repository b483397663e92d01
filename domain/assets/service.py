"""Uploads for an account: one path behind REST multipart, MCP ``fileBase64`` and ``fileUrl``.

Bytes are staged on disk (size capped while streaming), checked by ``inspect_file`` in a
worker thread, moved into storage, then recorded. Uploads are temporary: 7 days, unless an
order uses them, after which they are kept with that order (SPEC "Assets"; seed 002).
"""
from __future__ import annotations

import re
from datetime import timedelta
from functools import lru_cache, partial
from pathlib import Path
from typing import Any

import anyio
from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from domain.assets.inspect import inspect_file
from domain.assets.kinds import EXTENSIONS, MAX_UPLOAD_BYTES, PUBLIC_KINDS, AssetKind
from domain.adapters.asset_storage import AssetStorage, LocalDirectoryStorage, StagedFile
from domain.core.clock import utcnow
from domain.core.context import Caller
from domain.persistence.db import Database
from domain.core.errors import InvalidRequest, NotFound
from domain.core.ids import get_by_id, get_owned, new_id
from domain.persistence.models import Asset
from domain.core.settings import Settings

ASSET_TTL = timedelta(days=7)
_UNSAFE = re.compile(r"[\x00-\x1f\x7f]")


@lru_cache(maxsize=8)
def _local_storage(root: Path) -> LocalDirectoryStorage:
    return LocalDirectoryStorage(root)


@lru_cache(maxsize=8)
def _s3_storage(bucket: str, prefix: str, endpoint: str, region: str, access_key_id: str,
                secret_access_key: str, scratch: Path) -> AssetStorage:
    from domain.adapters.s3_storage import S3Storage

    return S3Storage(bucket=bucket, prefix=prefix, endpoint=endpoint, region=region, access_key_id=access_key_id,
                     secret_access_key=secret_access_key, scratch_dir=scratch)


def storage_for(settings: Settings) -> AssetStorage:
    """The configured storage: local directory ``PIETERPOST_ASSET_DIR`` (default), or an
    S3-compatible bucket when ``PIETERPOST_ASSET_STORE=s3`` (the directory then only holds
    uploads being staged)."""
    root = Path(settings.asset_dir).resolve()
    if settings.asset_store == "s3":
        return _s3_storage(settings.s3_bucket, settings.s3_prefix, settings.s3_endpoint, settings.s3_region,
                           settings.s3_access_key_id, settings.s3_secret_access_key, root)
    return _local_storage(root)


def parse_kind(value: object, field: str = "kind") -> AssetKind:
    try:
        return AssetKind(value)
    except ValueError:
        allowed = ", ".join(sorted(kind.value for kind in AssetKind))
        raise InvalidRequest(f"{field} must be one of {allowed}", field=field) from None


def clean_original_name(value: object) -> str | None:
    """The client's file name without any directory part or control characters."""
    if not isinstance(value, str):
        return None
    name = _UNSAFE.sub("", re.split(r"[\\/]", value)[-1]).strip()[:200]
    return name or None


def stored_name(asset_id: str, kind: AssetKind, content_type: str, original: str | None) -> str:
    """Public postcard images are named by id (seed: ``asset_123.jpg``); private files keep the
    original stem (seed: ``receipt.pdf``); the extension always follows the sniffed content."""
    extension = EXTENSIONS[content_type]
    if kind in PUBLIC_KINDS or not original:
        return f"{asset_id}.{extension}"
    stem = original.rsplit(".", 1)[0] if "." in original.strip(".") else original
    return f"{stem}.{extension}"


def public_url(settings: Settings, asset: Asset) -> str | None:
    return f"{settings.base_url}/api/public-assets/{asset.id}" if asset.public else None


def asset_view(settings: Settings, asset: Asset) -> dict[str, Any]:
    """The seed 002 upload response, field for field."""
    return {
        "assetId": asset.id,
        "contentType": asset.content_type,
        "kind": asset.kind,
        "name": asset.name,
        "originalName": asset.original_name,
        "publicUrl": public_url(settings, asset),
        "size": asset.size,
    }


async def store_staged(db: Database, settings: Settings, caller: Caller, staged: StagedFile, *, kind: AssetKind,
                       original_name: str | None, field: str = "file",
                       storage: AssetStorage | None = None) -> dict[str, Any]:
    """Validate a staged upload, move it into storage and record it for the caller's account."""
    storage = storage or storage_for(settings)
    try:
        facts = await anyio.to_thread.run_sync(partial(inspect_file, staged.path, kind, field=field))
    except BaseException:
        await storage.discard(staged)
        raise
    asset_id = new_id("asset")
    original = clean_original_name(original_name)
    await storage.commit(staged, asset_id)
    try:
        async with db.transaction() as session:
            asset = Asset(
                id=asset_id, account_id=caller.account_id, kind=kind.value, content_type=facts.content_type,
                name=stored_name(asset_id, kind, facts.content_type, original), original_name=original,
                size=staged.size, sha256=staged.sha256, storage_key=asset_id, page_count=facts.page_count,
                width=facts.width, height=facts.height, public=kind in PUBLIC_KINDS,
                expires_at=utcnow() + ASSET_TTL,
            )
            session.add(asset)
    except BaseException:
        await storage.delete(asset_id)
        raise
    return asset_view(settings, asset)


async def upload_stream(db: Database, settings: Settings, caller: Caller, *, kind: object, chunks: Any,
                        original_name: str | None, field: str = "file",
                        storage: AssetStorage | None = None) -> dict[str, Any]:
    """Stage ``chunks`` (an async iterator of bytes) and store them as an asset of ``kind``."""
    asset_kind = parse_kind(kind)
    storage = storage or storage_for(settings)
    staged = await storage.stage(chunks, max_bytes=MAX_UPLOAD_BYTES, field=field)
    return await store_staged(db, settings, caller, staged, kind=asset_kind, original_name=original_name,
                              field=field, storage=storage)


async def get_asset(session: AsyncSession, caller: Caller, asset_id: str) -> Asset:
    """One of the caller's assets; another account's id is simply unknown (404, never 403)."""
    return await get_owned(session, Asset, asset_id, caller.account_id, "asset")


def is_expired(asset: Asset) -> bool:
    return asset.order_id is None and asset.expires_at is not None and asset.expires_at < utcnow()


async def open_public_asset(db: Database, settings: Settings, asset_id: str) -> tuple[Asset, Any]:
    """A postcard image for the print flow; anything else (or expired) is not found."""
    async with db.read() as session:
        asset = await get_by_id(session, Asset, asset_id)
    if asset is None or not asset.public or asset.kind != AssetKind.POSTCARD_IMAGE or is_expired(asset):
        raise NotFound(f"No public asset {asset_id}.")
    return asset, storage_for(settings).open(asset.storage_key)



async def expire_assets(db: Database, settings: Settings, *, batch: int = 500) -> int:
    """Delete up to ``batch`` uploads past their 7 days that no order uses; returns how many.

    The conditional DELETE re-checks ``order_id IS NULL`` under the row lock, so an order
    committing at the same moment keeps its asset. The worker loop calls this periodically.
    """
    now = utcnow()
    unused_and_old = (Asset.order_id.is_(None), Asset.expires_at < now)
    async with db.transaction() as session:
        some = select(Asset.id).where(*unused_and_old).limit(batch)
        doomed = delete(Asset).where(Asset.id.in_(some), *unused_and_old).returning(Asset.storage_key)
        keys = [key for (key,) in (await session.execute(doomed)).all()]
    storage = storage_for(settings)
    for key in keys:
        await storage.delete(key)
    await storage.sweep_staging(older_than_seconds=24 * 3600)
    return len(keys)
