"""A stored order piece → the ``Handoff`` (address + print-ready PDF) for the print partner.

The PDF comes from ``domain.printing.render_pieces``, the same layout that counted the
pages the customer paid for. Asset bytes are read from the asset storage.
"""
from __future__ import annotations

import asyncio

from sqlalchemy.ext.asyncio import AsyncSession

from domain.assets.storage import LocalDirectoryStorage
from domain.models import Asset, Order, OrderPiece
from domain.printing import LetterPiece, PostcardPiece, render_pieces
from domain.settings import Settings
from domain.fulfillment_providers import Handoff


def recipient_lines(piece: OrderPiece) -> tuple[str, ...]:
    recipient = piece.recipient
    return (str(recipient.get("name", "")), *(str(line) for line in recipient.get("addressLines", [])))


async def _asset_bytes(session: AsyncSession, storage: LocalDirectoryStorage, asset_id: str | None) -> bytes | None:
    if not asset_id:
        return None
    asset = await session.get(Asset, asset_id)
    if asset is None:
        raise FileNotFoundError(f"asset {asset_id} of this piece no longer exists")
    return await storage.read(asset.storage_key)


def describe(order: Order, piece: OrderPiece, pdf: bytes = b"") -> Handoff:
    """The hand-off for ``piece``; ``pdf`` stays empty where no print file is needed (test mode)."""
    return Handoff(piece_id=piece.id, order_id=order.id, order_ref=order.order_ref, kind=piece.kind,
                   position=piece.position, recipient_lines=recipient_lines(piece),
                   country=str(piece.recipient.get("country", "")), page_count=piece.page_count, pdf=pdf)


async def build_handoff(session: AsyncSession, settings: Settings, order: Order, piece: OrderPiece) -> Handoff:
    """The hand-off with its print-ready PDF (rendered off the event loop)."""
    lines = recipient_lines(piece)
    storage = LocalDirectoryStorage(settings.asset_dir)
    image = await _asset_bytes(session, storage, piece.image_asset_id)
    if piece.kind == "letter":
        attachments = [await _asset_bytes(session, storage, ref) for ref in piece.attachments]
        drawn: LetterPiece | PostcardPiece = LetterPiece(
            recipient_lines=lines, message=piece.message, us=piece.recipient.get("country") == "US",
            attachments=[data for data in attachments if data is not None], stamp=image)
    else:
        drawn = PostcardPiece(recipient_lines=lines, message=piece.message, front=image)
    return describe(order, piece, await asyncio.to_thread(render_pieces, [drawn]))
