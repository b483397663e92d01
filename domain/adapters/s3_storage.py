"""Asset bytes on S3-compatible object storage (AWS S3, Cloudflare R2, MinIO, …) via obstore.

Same interface as ``LocalDirectoryStorage``: an upload is staged in a local scratch file first
(size cap enforced chunk by chunk, SHA-256 on the way) because validation must read the whole
file (PDF page count, image decode); only a validated file is streamed to the bucket, in
multipart parts for large files, so no upload is ever held whole in memory and the bucket never
holds an unvalidated object. Reads stream back in chunks. Every host of a deployment sees the
same objects, which a local directory cannot give.

obstore (Rust ``object_store`` bindings) was chosen over aiobotocore: native asyncio, streaming
get/put with multipart built in, no aiohttp/botocore dependency tree, and one small wheel.
"""
from __future__ import annotations

from collections.abc import AsyncIterable, AsyncIterator
from pathlib import Path
from typing import Any

import obstore
from obstore.exceptions import NotFoundError
from obstore.store import S3Store

from domain.adapters.asset_storage import _KEY, CHUNK_SIZE, LocalDirectoryStorage, StagedFile

PROBE_PREFIX = ".readiness-probe"  # never written: listing it (empty) proves bucket and credentials


class S3Storage:
    def __init__(self, *, bucket: str, prefix: str = "", endpoint: str = "", region: str = "us-east-1",
                 access_key_id: str = "", secret_access_key: str = "", scratch_dir: Path) -> None:
        if not bucket:
            raise ValueError("PIETERPOST_S3_BUCKET is required when PIETERPOST_ASSET_STORE=s3")
        config: dict[str, Any] = {"region": region or "us-east-1"}
        if endpoint:
            # path-style addressing: MinIO and most self-hosted stores need it, R2 and AWS accept it
            config.update(endpoint=endpoint.rstrip("/"), virtual_hosted_style_request=False)
        if access_key_id:
            config.update(access_key_id=access_key_id, secret_access_key=secret_access_key)
        client: dict[str, Any] = {"timeout": "120s", "connect_timeout": "10s"}
        if endpoint.startswith("http://"):
            client["allow_http"] = True
        self.store = S3Store(bucket, prefix=prefix.strip("/") or None, client_options=client, **config)
        self.scratch = LocalDirectoryStorage(scratch_dir)  # staging files only

    @staticmethod
    def _key(key: str) -> str:
        if not _KEY.match(key):
            raise ValueError(f"invalid storage key {key!r}")
        return key

    async def stage(self, chunks: AsyncIterable[bytes], *, max_bytes: int, field: str = "file") -> StagedFile:
        return await self.scratch.stage(chunks, max_bytes=max_bytes, field=field)

    async def commit(self, staged: StagedFile, key: str) -> None:
        try:
            await obstore.put_async(self.store, self._key(key), staged.path)
        finally:
            staged.path.unlink(missing_ok=True)

    async def discard(self, staged: StagedFile) -> None:
        await self.scratch.discard(staged)

    async def open(self, key: str) -> AsyncIterator[bytes]:
        result = await obstore.get_async(self.store, self._key(key))
        async for chunk in result.stream(min_chunk_size=CHUNK_SIZE):
            yield bytes(chunk)

    async def read(self, key: str) -> bytes:
        result = await obstore.get_async(self.store, self._key(key))
        return bytes(await result.bytes_async())

    async def exists(self, key: str) -> bool:
        try:
            await obstore.head_async(self.store, self._key(key))
        except (NotFoundError, FileNotFoundError):
            return False
        return True

    async def delete(self, key: str) -> None:
        try:
            await obstore.delete_async(self.store, self._key(key))
        except (NotFoundError, FileNotFoundError):
            pass

    async def sweep_staging(self, older_than_seconds: float) -> int:
        return await self.scratch.sweep_staging(older_than_seconds)

    async def check(self) -> None:
        """Raises unless the bucket answers with these credentials (``/readyz``)."""
        await self.scratch.check()
        # a LIST, not a HEAD: a missing bucket is 404 to both, but only LIST says so in its body
        await obstore.list_with_delimiter_async(self.store, prefix=PROBE_PREFIX)
