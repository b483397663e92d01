"""Price an order draft: page counts from the print layout, prices from ``domain.money.pricing``."""
from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from domain.core.clock import utcnow
from domain.core.errors import InvalidRequest, NotFound
from domain.persistence.models import Asset
from domain.orders.payloads import OrderDraft
from domain.orders.recipients import Recipient
from domain.money.pricing import check_letter_pages, letter_price_cents, postcard_price_cents
from domain.printing import address_fits, count_message_pages, missing_glyphs, postcard_message_fits
from domain.core.settings import Settings

ASSET_KINDS = {
    "attachment": "letter-attachment",
    "stamp": "letter-stamp-image",
    "front": "postcard-image",
}


@dataclass(frozen=True)
class PieceQuote:
    pages: int
    amount_cents: int


@dataclass(frozen=True)
class Quote:
    draft: OrderDraft
    pieces: tuple[PieceQuote, ...]
    assets: dict[str, Asset]

    @property
    def amount_cents(self) -> int:
        return sum(piece.amount_cents for piece in self.pieces)

    @property
    def recipient_count(self) -> int:
        return len(self.draft.pieces)


async def load_asset(session: AsyncSession | None, account_id: str, asset_id: str, kind: str, field: str) -> Asset:
    """An asset of this account and kind; another account's id is simply unknown."""
    if session is None:
        raise RuntimeError("a draft that names assets was priced without a session")
    asset = await session.get(Asset, asset_id)
    if asset is None or asset.account_id != account_id:
        raise NotFound(f"{field}: no asset {asset_id}.")
    if asset.kind != kind:
        raise InvalidRequest(f"{field}: asset {asset_id} is a {asset.kind}, not a {kind}.", field=field)
    if asset.order_id is None and asset.expires_at is not None and asset.expires_at < utcnow():
        raise InvalidRequest(f"{field}: asset {asset_id} has expired; upload it again.", field=field)
    return asset


async def quote_draft(session: AsyncSession | None, account_id: str, draft: OrderDraft, settings: Settings) -> Quote:
    """The price of a parsed draft; ``session`` (reads only) may be None when the draft names no assets."""
    assets: dict[str, Asset] = {}
    pieces: list[PieceQuote] = []
    if draft.request_type == "postcard":
        if draft.front_image_asset_id:
            asset = await load_asset(session, account_id, draft.front_image_asset_id, ASSET_KINDS["front"],
                                     "postcard.frontImageAssetId")
            assets[asset.id] = asset
        for index, piece in enumerate(draft.pieces):
            _check_address(piece.recipient, piece.recipient_path, postcard=True)
            _check_glyphs(piece.message, "postcard.message")
            if piece.message and not postcard_message_fits(piece.message):
                raise InvalidRequest(
                    f"postcard message for recipient {index} does not fit on the card back at the smallest "
                    "readable size; shorten it or use fewer line breaks.", field="postcard.message")
        price = postcard_price_cents(settings)
        return Quote(draft, tuple(PieceQuote(1, price) for _ in draft.pieces), assets)
    stamp = draft.stamp_image_asset_id
    if stamp:
        assets[stamp] = await load_asset(session, account_id, stamp, ASSET_KINDS["stamp"], "stampImageAssetId")
    for index, piece in enumerate(draft.pieces):
        _check_address(piece.recipient, piece.recipient_path, postcard=False)
        _check_glyphs(piece.message, f"letters[{index}].message")
        pages = count_message_pages(piece.message, us=piece.recipient.is_us)  # page 1 always carries the address
        for pos, asset_id in enumerate(piece.attachment_ids):
            field = f"letters[{index}].attachments[{pos}]"
            asset = await load_asset(session, account_id, asset_id, ASSET_KINDS["attachment"], field)
            assets[asset.id] = asset
            pages += asset.page_count or 1
        check_letter_pages(pages, settings, f"letters[{index}]")
        pieces.append(PieceQuote(pages, letter_price_cents(pages, bool(stamp), settings)))
    return Quote(draft, tuple(pieces), assets)


def _check_glyphs(text: str, field: str) -> None:
    missing = missing_glyphs(text)
    if missing:
        shown = ", ".join(f"{c!r} (U+{ord(c):04X})" for c in missing[:5])
        raise InvalidRequest(f"{field} has characters the print font cannot show: {shown}; they would print as "
                             "empty boxes", field=field)


def _check_address(recipient: Recipient, field: str, *, postcard: bool) -> None:
    _check_glyphs("\n".join(recipient.print_lines), field)
    if not address_fits(recipient.print_lines, postcard=postcard, us=recipient.is_us):
        where = "the postcard's address box" if postcard else "the envelope window"
        raise InvalidRequest(f"{field}: the name and address do not fit {where} even at the smallest print size; "
                             "shorten the address lines", field=field)


async def load_assets(session: AsyncSession, account_id: str, ids: list[str]) -> list[Asset]:
    if not ids:
        return []
    rows = await session.execute(select(Asset).where(Asset.id.in_(ids), Asset.account_id == account_id))
    return list(rows.scalars())
