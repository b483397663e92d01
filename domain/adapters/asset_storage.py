"""Where asset bytes live, behind a small interface (local directory by default).

Uploads are streamed into a staging file with the size cap enforced chunk by chunk
(SPEC "Assets": <= 50 MB), validated from disk, then moved into place with an atomic
rename, so a reader never sees half a file and no upload is ever held whole in memory.
"""
from __future__ import annotations

import hashlib
import os
import re
import tempfile
import time
from collections.abc import AsyncIterable, AsyncIterator
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

import anyio

from domain.core.errors import PayloadTooLarge

CHUNK_SIZE = 64 * 1024
_KEY = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,127}$")


@dataclass(frozen=True)
class StagedFile:
    """A complete upload on local disk, not yet visible under any key."""

    path: Path
    size: int
    sha256: str


class AssetStorage(Protocol):
    async def stage(self, chunks: AsyncIterable[bytes], *, max_bytes: int, field: str = "file") -> StagedFile: ...
    async def commit(self, staged: StagedFile, key: str) -> None: ...
    async def discard(self, staged: StagedFile) -> None: ...
    def open(self, key: str) -> AsyncIterator[bytes]: ...
    async def read(self, key: str) -> bytes: ...
    async def exists(self, key: str) -> bool: ...
    async def delete(self, key: str) -> None: ...
    async def sweep_staging(self, older_than_seconds: float) -> int: ...
    async def check(self) -> None: ...


def _too_large(field: str, max_bytes: int) -> PayloadTooLarge:
    return PayloadTooLarge(f"{field}: larger than the {max_bytes // (1024 * 1024)} MB upload limit", field=field)


def chunks_of(data: bytes, size: int = CHUNK_SIZE) -> AsyncIterator[bytes]:
    """Feed bytes already in memory (a decoded ``fileBase64``) through the same staging path."""

    async def chunks() -> AsyncIterator[bytes]:
        view = memoryview(data)
        for start in range(0, len(view), size):
            yield bytes(view[start : start + size])

    return chunks()


class LocalDirectoryStorage:
    """Files under ``root``; staging files in ``root/.staging`` (same filesystem, so rename is atomic)."""

    def __init__(self, root: Path) -> None:
        self.root = Path(root)
        self.staging = self.root / ".staging"

    def _path(self, key: str) -> Path:
        if not _KEY.match(key):
            raise ValueError(f"invalid storage key {key!r}")
        return self.root / key

    async def stage(self, chunks: AsyncIterable[bytes], *, max_bytes: int, field: str = "file") -> StagedFile:
        self.staging.mkdir(parents=True, exist_ok=True)
        fd, name = tempfile.mkstemp(dir=self.staging, prefix="upload-")
        path, size, digest = Path(name), 0, hashlib.sha256()
        try:
            async with await anyio.open_file(fd, "wb") as out:
                async for chunk in chunks:
                    size += len(chunk)
                    if size > max_bytes:
                        raise _too_large(field, max_bytes)
                    digest.update(chunk)
                    await out.write(chunk)
                await out.flush()
                await anyio.to_thread.run_sync(os.fsync, out.wrapped.fileno())
        except BaseException:
            path.unlink(missing_ok=True)
            raise
        return StagedFile(path, size, digest.hexdigest())

    async def commit(self, staged: StagedFile, key: str) -> None:
        os.replace(staged.path, self._path(key))

    async def discard(self, staged: StagedFile) -> None:
        staged.path.unlink(missing_ok=True)

    async def open(self, key: str) -> AsyncIterator[bytes]:
        async with await anyio.open_file(self._path(key), "rb") as source:
            while chunk := await source.read(CHUNK_SIZE):
                yield chunk

    async def read(self, key: str) -> bytes:
        return await anyio.Path(self._path(key)).read_bytes()

    async def exists(self, key: str) -> bool:
        return await anyio.Path(self._path(key)).is_file()

    async def delete(self, key: str) -> None:
        self._path(key).unlink(missing_ok=True)

    async def check(self) -> None:
        """Raises unless the directory exists (or can be made) and is writable (``/readyz``)."""
        self.root.mkdir(parents=True, exist_ok=True)
        if not os.access(self.root, os.W_OK | os.X_OK):
            raise PermissionError(f"asset directory {self.root} is not writable")

    async def sweep_staging(self, older_than_seconds: float) -> int:
        """Remove staging files a crashed or killed upload left behind."""
        if not self.staging.is_dir():
            return 0
        cutoff = time.time() - older_than_seconds
        removed = 0
        for leftover in self.staging.iterdir():
            try:
                if leftover.stat().st_mtime < cutoff:
                    leftover.unlink()
                    removed += 1
            except FileNotFoundError:
                continue  # finished or discarded meanwhile
        return removed
