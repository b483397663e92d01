"""Assets on S3-compatible storage (moto's standalone server): the same streaming, cap and
sniffing as the local directory, objects under the configured prefix, expiry deletes them."""
from __future__ import annotations

import io
import tracemalloc
from collections.abc import Iterator
from pathlib import Path

import pytest
from pypdf import PdfReader
from sqlalchemy import update

from domain.adapters.s3_storage import S3Storage
from domain.assets.kinds import MAX_UPLOAD_BYTES
from domain.assets.service import expire_assets
from domain.core.clock import utcnow
from domain.core.errors import PayloadTooLarge
from domain.core.settings import Settings
from domain.persistence.models import Asset
from tests.conftest import auth
from tests.domain.filemakers import image_bytes, image_sizes
from tests.support.apps import asgi_client, running_app
from tests.support.fake_s3 import ACCESS_KEY, REGION, SECRET_KEY, FakeS3, running_s3

MB = 1024 * 1024


@pytest.fixture(scope="module")
def s3() -> Iterator[FakeS3]:
    with running_s3() as fake:
        yield fake


def _storage(s3: FakeS3, bucket: str, tmp_path: Path, prefix: str = "tenant/assets") -> S3Storage:
    return S3Storage(bucket=bucket, prefix=prefix, endpoint=s3.endpoint, region=REGION, access_key_id=ACCESS_KEY,
                     secret_access_key=SECRET_KEY, scratch_dir=tmp_path)


async def _chunks(total: int, size: int = 64 * 1024):
    block = b"\xcd" * size
    sent = 0
    while sent < total:
        part = block[: min(size, total - sent)]
        sent += len(part)
        yield part


async def test_commit_streams_to_the_bucket_under_the_prefix_and_reads_stream_back(s3: FakeS3, tmp_path) -> None:
    bucket = s3.new_bucket()
    storage = _storage(s3, bucket, tmp_path)
    await storage.check()
    staged = await storage.stage(_chunks(12 * MB), max_bytes=MAX_UPLOAD_BYTES)  # > one 5 MB multipart part
    assert s3.keys(bucket) == []  # staged locally, not visible in the bucket yet
    await storage.commit(staged, "asset_big")
    assert s3.keys(bucket) == ["tenant/assets/asset_big"] and not staged.path.exists()
    assert await storage.exists("asset_big") and not await storage.exists("asset_other")
    tracemalloc.start()
    try:
        total, parts = 0, 0
        async for chunk in storage.open("asset_big"):
            assert set(chunk) == {0xCD}
            total, parts = total + len(chunk), parts + 1
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert total == 12 * MB and parts > 1 and peak < 8 * MB
    await storage.delete("asset_big")
    await storage.delete("asset_big")  # idempotent, as S3's DELETE
    assert s3.keys(bucket) == [] and not await storage.exists("asset_big")


async def test_over_the_cap_is_refused_while_streaming_and_nothing_reaches_the_bucket(s3: FakeS3, tmp_path) -> None:
    bucket = s3.new_bucket()
    storage = _storage(s3, bucket, tmp_path)
    with pytest.raises(PayloadTooLarge):
        await storage.stage(_chunks(51 * MB), max_bytes=MAX_UPLOAD_BYTES)
    assert s3.keys(bucket) == [] and list((tmp_path / ".staging").iterdir()) == []


async def test_readiness_fails_for_a_missing_bucket(s3: FakeS3, tmp_path) -> None:
    with pytest.raises(Exception):
        await _storage(s3, "no-such-bucket-here", tmp_path).check()


async def test_the_app_on_s3_uploads_serves_prints_and_expires(s3: FakeS3, settings: Settings, account, db,
                                                               tmp_path) -> None:
    bucket = s3.new_bucket()
    on_s3 = settings.model_copy(update={**s3.settings(bucket), "asset_dir": tmp_path / "scratch"})
    key = account["test_key"]
    png = image_bytes((1000, 1000))
    async with running_app(on_s3) as app, asgi_client(app) as client:
        assert (await client.get("/readyz")).json()["assets"] == "ok"
        sent = await client.post("/v1/uploads", data={"kind": "postcard-image"},
                                 files={"file": ("front.png", png, "image/png")}, headers=auth(key))
        assert sent.status_code == 200, sent.text
        used = sent.json()["assetId"]
        wrong = await client.post("/v1/uploads", data={"kind": "postcard-image"},
                                  files={"file": ("x.png", b"not an image at all", "image/png")}, headers=auth(key))
        assert wrong.status_code == 400  # sniffed and refused before anything reaches the bucket
        assert s3.keys(bucket) == [f"assets/{used}"]
        public = await client.get(f"/api/public-assets/{used}")
        assert public.status_code == 200 and public.content == png
        order = await client.post("/v1/checkout-links", headers=auth(key), json={
            "requestType": "postcard", "postcard": {"frontImageAssetId": used, "message": "Hello from S3",
                                                    "recipient": {"name": "Pieter Post", "streetAddress": "Keizersgracht 1",
                                                                  "postalCode": "1015 CJ", "city": "Amsterdam",
                                                                  "country": "NL"}}})
        assert order.status_code == 200, order.text
        proof = await client.get(f"/v1/orders/{order.json()['orderId']}/proof", headers=auth(key))
        assert proof.status_code == 200
        assert image_sizes(PdfReader(io.BytesIO(proof.content)).pages[0]) == [(1000, 1000)]

        unused = (await client.post("/v1/uploads", data={"kind": "postcard-image"},
                                    files={"file": ("u.png", image_bytes((1000, 1000)), "image/png")},
                                    headers=auth(key))).json()["assetId"]
        async with db.transaction() as session:
            past = utcnow().replace(year=utcnow().year - 1)
            await session.execute(update(Asset).where(Asset.id.in_([used, unused])).values(expires_at=past))
        assert await expire_assets(app.state.db, on_s3) >= 1
        keys = s3.keys(bucket)
        assert f"assets/{unused}" not in keys and f"assets/{used}" in keys  # the order keeps its front
