"""The asset service and the upload_asset tool's domain function, on SQLite and PostgreSQL."""
from __future__ import annotations

import base64

import pytest
from sqlalchemy import func, select, update

from domain.assets.service import expire_assets, get_asset, storage_for
from domain.assets.upload_tool import upload_asset
from domain.core.clock import utcnow
from domain.core.context import Caller
from domain.core.errors import ErrorCode, InvalidRequest, NotFound, PayloadTooLarge
from domain.persistence.models import Asset
from tests.domain.filemakers import image_bytes, pdf_bytes
from tests.domain.tls_server import STAMP_PNG, net, secret, server, tls  # noqa: F401 (fixtures)


def caller_of(account: dict) -> Caller:
    return Caller(account_id=account["id"], mode="test")


def inline(kind: str, data: bytes, name: str = "file.bin", content_type: str = "image/png") -> dict:
    return {"kind": kind, "fileName": name, "contentType": content_type,
            "fileBase64": base64.b64encode(data).decode()}


async def count_assets(db, account_id: str) -> int:  # type: ignore[no-untyped-def]
    async with db.read() as session:
        return (await session.execute(select(func.count()).where(Asset.account_id == account_id))).scalar_one()


async def test_base64_upload_is_sniffed_not_trusted(db, settings, account):
    jpeg = image_bytes((1100, 1100), "JPEG")
    view = await upload_asset(db, settings, caller_of(account), inline("postcard-image", jpeg, "front.png"))
    assert view["contentType"] == "image/jpeg" and view["originalName"] == "front.png"
    assert view["size"] == len(jpeg) and view["publicUrl"].endswith(f"/api/public-assets/{view['assetId']}")
    assert await storage_for(settings).read(view["assetId"]) == jpeg


async def test_data_url_and_urlsafe_base64_are_accepted(db, settings, account):
    pdf = pdf_bytes(2)
    args = inline("letter-attachment", pdf, "scan.pdf", "application/pdf")
    args["fileBase64"] = "data:application/pdf;base64," + base64.urlsafe_b64encode(pdf).decode().rstrip("=")
    view = await upload_asset(db, settings, caller_of(account), args)
    assert view["name"] == "scan.pdf" and view["size"] == len(pdf)
    async with db.read() as session:
        assert (await session.get(Asset, view["assetId"])).page_count == 2


@pytest.mark.parametrize("change", ["both", "neither", "garbage", "kind", "name"])
async def test_bad_tool_arguments_are_invalid_requests(db, settings, account, change):
    args = inline("letter-stamp-image", image_bytes((50, 50)))
    if change == "both":
        args["fileUrl"] = "https://files.example.com/stamp.png"
    elif change == "neither":
        del args["fileBase64"]
    elif change == "garbage":
        args["fileBase64"] = "%%% not base64 %%%"
    elif change == "kind":
        args["kind"] = "poster"
    else:
        args["fileName"] = ""
    with pytest.raises(InvalidRequest):
        await upload_asset(db, settings, caller_of(account), args)
    assert await count_assets(db, account["id"]) == 0


async def test_oversize_base64_is_refused_before_decoding(db, settings, account, monkeypatch):
    import base64

    from domain.assets import upload_tool

    decoded: list[int] = []

    def spy(real):
        def decode(data, *a, **k):
            decoded.append(len(data))
            return real(data, *a, **k)
        return decode

    monkeypatch.setattr(upload_tool.base64, "b64decode", spy(base64.b64decode))
    monkeypatch.setattr(upload_tool.base64, "urlsafe_b64decode", spy(base64.urlsafe_b64decode))
    args = inline("letter-attachment", b"")
    args["fileBase64"] = "A" * (70 * 1024 * 1024)
    with pytest.raises(PayloadTooLarge):
        await upload_asset(db, settings, caller_of(account), args)
    assert decoded == []  # refused from the text's length: decoding never started
    assert await count_assets(db, account["id"]) == 0


async def test_file_url_is_fetched_through_the_ssrf_guard(db, settings, account, net, tls):
    args = {"kind": "letter-stamp-image", "fileName": "stamp.png", "contentType": "image/png",
            "fileUrl": "https://files.example.com/stamp.png"}
    options = {"resolver": net.resolve, "dialer": net.dial, "ssl_context": tls[1]}
    view = await upload_asset(db, settings, caller_of(account), args, fetch_options=options)
    assert view["contentType"] == "image/png" and view["name"] == "stamp.png" and view["publicUrl"] is None
    assert await storage_for(settings).read(view["assetId"]) == STAMP_PNG


async def test_private_file_url_is_refused_and_nothing_is_stored(db, settings, account, net, tls, secret):
    args = {"kind": "letter-stamp-image", "fileName": "x.png", "contentType": "image/png",
            "fileUrl": f"https://files.example.com/redirect?to=https://127.0.0.1:{secret[0]}/x.png"}
    options = {"resolver": net.resolve, "dialer": net.dial, "ssl_context": tls[1]}
    with pytest.raises(InvalidRequest) as caught:
        await upload_asset(db, settings, caller_of(account), args, fetch_options=options)
    assert caught.value.code is ErrorCode.INVALID_REQUEST and caught.value.field == "fileUrl"
    assert secret[1] == [] and await count_assets(db, account["id"]) == 0


async def test_another_accounts_asset_is_not_found(db, settings, account):
    view = await upload_asset(db, settings, caller_of(account), inline("letter-stamp-image", image_bytes((60, 60))))
    stranger = Caller(account_id="acct_someone_else", mode="test")
    async with db.read() as session:
        assert (await get_asset(session, caller_of(account), view["assetId"])).id == view["assetId"]
        with pytest.raises(NotFound):
            await get_asset(session, stranger, view["assetId"])


async def test_expiry_removes_unused_uploads_and_keeps_those_an_order_uses(db, settings, account):
    caller = caller_of(account)
    kept = await upload_asset(db, settings, caller, inline("letter-stamp-image", image_bytes((40, 40))))
    gone = await upload_asset(db, settings, caller, inline("letter-stamp-image", image_bytes((41, 41))))
    fresh = await upload_asset(db, settings, caller, inline("letter-stamp-image", image_bytes((42, 42))))
    past = utcnow().replace(year=utcnow().year - 1)
    async with db.transaction() as session:
        await session.execute(update(Asset).where(Asset.id.in_([kept["assetId"], gone["assetId"]]))
                              .values(expires_at=past))
        await session.execute(update(Asset).where(Asset.id == kept["assetId"]).values(order_id="ord_keeps_it"))
    assert await expire_assets(db, settings) >= 1
    storage = storage_for(settings)
    async with db.read() as session:
        assert await session.get(Asset, gone["assetId"]) is None
        assert await session.get(Asset, kept["assetId"]) is not None
        assert await session.get(Asset, fresh["assetId"]) is not None
    assert not await storage.exists(gone["assetId"])
    assert await storage.exists(kept["assetId"]) and await storage.exists(fresh["assetId"])
