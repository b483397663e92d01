"""Local asset storage: streamed staging with a size cap, atomic commit, streamed reads."""
from __future__ import annotations

import tracemalloc

import pytest

from domain.assets.kinds import MAX_UPLOAD_BYTES
from domain.adapters.asset_storage import LocalDirectoryStorage
from domain.core.errors import ErrorCode, PayloadTooLarge

MB = 1024 * 1024


async def chunks(total: int, size: int = 64 * 1024):
    block = b"\xab" * size
    sent = 0
    while sent < total:
        part = block[: min(size, total - sent)]
        sent += len(part)
        yield part


async def test_staged_file_becomes_visible_only_on_commit(tmp_path):
    storage = LocalDirectoryStorage(tmp_path)
    staged = await storage.stage(chunks(300_000), max_bytes=MAX_UPLOAD_BYTES)
    assert staged.size == 300_000 and staged.path.parent == tmp_path / ".staging"
    assert not await storage.exists("asset_a")
    await storage.commit(staged, "asset_a")
    assert await storage.exists("asset_a") and not staged.path.exists()
    assert await storage.read("asset_a") == b"\xab" * 300_000
    streamed = [part async for part in storage.open("asset_a")]
    assert len(streamed) > 1 and b"".join(streamed) == b"\xab" * 300_000


async def test_upload_over_the_limit_is_refused_while_streaming_without_buffering(tmp_path):
    storage = LocalDirectoryStorage(tmp_path)
    tracemalloc.start()
    try:
        with pytest.raises(PayloadTooLarge) as caught:
            await storage.stage(chunks(51 * MB), max_bytes=MAX_UPLOAD_BYTES)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert caught.value.code is ErrorCode.PAYLOAD_TOO_LARGE and caught.value.status == 413
    assert peak < 4 * MB  # 64 KB chunks pass through; 51 MB never sit in memory
    assert list((tmp_path / ".staging").iterdir()) == []  # the partial file is gone


async def test_exactly_the_limit_is_accepted(tmp_path):
    storage = LocalDirectoryStorage(tmp_path)
    staged = await storage.stage(chunks(2 * MB), max_bytes=2 * MB)
    assert staged.size == 2 * MB
    await storage.discard(staged)
    assert not staged.path.exists()


async def test_keys_cannot_escape_the_storage_directory(tmp_path):
    storage = LocalDirectoryStorage(tmp_path / "assets")
    for key in ("../etc/passwd", "a/b", "", ".hidden"):
        with pytest.raises(ValueError):
            await storage.read(key)


async def test_delete_removes_the_file(tmp_path):
    storage = LocalDirectoryStorage(tmp_path)
    await storage.commit(await storage.stage(chunks(10), max_bytes=100), "asset_b")
    await storage.delete("asset_b")
    assert not await storage.exists("asset_b")
    await storage.delete("asset_b")  # deleting twice is fine (expiry sweeps may race)


async def test_sweep_removes_only_old_staging_leftovers(tmp_path):
    import os
    import time

    storage = LocalDirectoryStorage(tmp_path)
    old = await storage.stage(chunks(10), max_bytes=100)
    new = await storage.stage(chunks(10), max_bytes=100)
    day_ago = time.time() - 2 * 24 * 3600
    os.utime(old.path, (day_ago, day_ago))
    assert await storage.sweep_staging(older_than_seconds=24 * 3600) == 1
    assert not old.path.exists() and new.path.exists()
