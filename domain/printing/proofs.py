"""Print files for stored orders: the whole order's proof, or one piece for the print partner.

Reads the order's pieces and the assets they name, then hands plain inputs to
``domain.printing`` (which knows nothing about the database). Rendering runs in a worker
thread so a 25-letter proof does not stall the event loop.
"""
from __future__ import annotations

from collections.abc import Sequence

import anyio
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from domain.orders import orders
from domain.assets.service import storage_for
from domain.core.context import Caller
from domain.persistence.db import Database
from domain.core.errors import NotFound
from domain.persistence.models import Asset, Order, OrderPiece
from domain.printing import LetterPiece, PostcardPiece, render_pieces
from domain.printing.render import Piece
from domain.orders.recipients import parse_recipient
from domain.core.settings import Settings


async def _order_pieces(session: AsyncSession, order: Order) -> list[OrderPiece]:
    rows = await session.execute(
        select(OrderPiece).where(OrderPiece.order_id == order.id).order_by(OrderPiece.position)
    )
    return list(rows.scalars())


async def print_pieces(session: AsyncSession, settings: Settings, order: Order,
                       only: Sequence[OrderPiece] | None = None) -> list[Piece]:
    """Plain print inputs for ``only`` (default: every piece of the order), assets loaded."""
    pieces = list(only) if only is not None else await _order_pieces(session, order)
    wanted = {a for p in pieces for a in p.attachments} | {p.image_asset_id for p in pieces if p.image_asset_id}
    rows = await session.execute(select(Asset).where(Asset.id.in_(wanted), Asset.account_id == order.account_id))
    assets = {asset.id: asset for asset in rows.scalars()}
    storage = storage_for(settings)
    cache: dict[str, bytes] = {}

    async def data(asset_id: str | None) -> bytes | None:
        if asset_id is None:
            return None
        if asset_id not in cache:
            if asset_id not in assets:
                raise NotFound(f"Asset {asset_id} of order {order.id} is no longer stored.")
            cache[asset_id] = await storage.read(assets[asset_id].storage_key)
        return cache[asset_id]

    built: list[Piece] = []
    for piece in pieces:
        recipient = parse_recipient(piece.recipient)
        if piece.kind == "letter":
            attachments = [await data(asset_id) for asset_id in piece.attachments]
            built.append(LetterPiece(recipient.print_lines, piece.message, us=recipient.is_us,
                                     attachments=[a for a in attachments if a], stamp=await data(piece.image_asset_id)))
        else:
            built.append(PostcardPiece(recipient.print_lines, piece.message, front=await data(piece.image_asset_id)))
    return built


async def order_proof(db: Database, settings: Settings, caller: Caller, order_id: str) -> bytes:
    """The print-ready PDF of every piece of one of the caller's orders (404 for others')."""
    async with db.read() as session:
        order = await orders.get_order(session, caller, order_id)
        pieces = await print_pieces(session, settings, order)
    return await anyio.to_thread.run_sync(render_pieces, pieces)


async def piece_pdf(session: AsyncSession, settings: Settings, order: Order, piece: OrderPiece) -> bytes:
    """One piece's print file, for the fulfillment hand-off."""
    built = await print_pieces(session, settings, order, only=[piece])
    return await anyio.to_thread.run_sync(render_pieces, built)
