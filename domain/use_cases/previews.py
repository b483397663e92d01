"""Preview images for whoever may see an order: its owner, the payer holding its checkout link,
the holder of a compose link, or an API caller with a payload that is not an order yet.

Every path builds the same print inputs fulfillment uses (``domain.printing.proofs`` for stored
orders; the parsed and priced draft for payloads, so an unprintable payload fails with the same
error the order would), then ``domain.printing.previews`` draws and rasterises them. Only fresh
renders are counted against ``preview_renders_per_minute``: per account for API keys and MCP, per
source IP and per draft or order on the pages (so payers of one busy account do not share one
budget): a cached page costs nothing, so the compose editor may ask again as often as it likes.
"""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import anyio

from domain.assets.service import storage_for
from domain.compose import checkout as compose_checkout
from domain.compose.links import open_draft
from domain.core.context import Caller
from domain.core.errors import InvalidRequest, NotFound
from domain.core.settings import Settings
from domain.orders import orders
from domain.orders.payloads import OrderDraft, parse_order
from domain.orders.quotes import Quote, quote_draft
from domain.persistence.db import Database
from domain.persistence.models import Order, OrderPiece
from domain.printing import previews
from domain.printing.previews import PreviewDocument
from domain.printing.proofs import print_pieces
from domain.printing.render import LetterPiece, Piece, PostcardPiece
from domain.requests.rate_limits import hit_minute_limits
from domain.fulfillment.handoff import order_pieces


@dataclass(frozen=True)
class PreviewImage:
    png: bytes
    etag: str
    page: int
    page_count: int


@dataclass(frozen=True)
class PreviewPages:
    """Every page of a small document, for pages that show them all at once (compose editor)."""

    pages: tuple[bytes, ...]
    overlays: tuple[dict[str, Any], ...]
    key: str


def _buckets(account_id: str, ip: str | None, subject: str | None) -> list[str]:
    """Who pays for a fresh render: the account (API, MCP), or the source IP and the draft/order (pages)."""
    if ip is None:
        return [f"preview:acct:{account_id}"]
    return [f"preview:ip:{ip}", f"preview:{subject}"]


async def _document(db: Database, settings: Settings, account_id: str, pieces: Sequence[Piece],
                    ip: str | None, subject: str | None = None) -> PreviewDocument:
    key = previews.content_key([previews.piece_parts(piece) for piece in pieces])
    cached = previews.CACHE.document(key)
    if cached is not None:
        return cached
    limit = settings.preview_renders_per_minute
    async with db.transaction() as session:
        await hit_minute_limits(session, [(bucket, limit) for bucket in _buckets(account_id, ip, subject)])
    doc = await anyio.to_thread.run_sync(previews.render_document, key, pieces)
    return previews.CACHE.put_document(doc)


async def _page_png(doc: PreviewDocument, page: int, width: int) -> bytes:
    """A page already rasterised comes straight from the cache; only a new one goes to a thread."""
    return previews.cached_page_png(doc, page, width) or await anyio.to_thread.run_sync(
        previews.page_png, doc, page, width)


async def _image(doc: PreviewDocument, page: int, width: int) -> PreviewImage:
    png = await _page_png(doc, page, width)
    return PreviewImage(png, previews.etag(doc, page, width), page, doc.page_count)


def _pick(pieces: list[OrderPiece], piece: int | None) -> list[OrderPiece]:
    if piece is None:
        return pieces
    if not 0 <= piece < len(pieces):
        raise InvalidRequest(f"piece must be between 0 and {len(pieces) - 1} for this order.", field="piece")
    return [pieces[piece]]


def check_piece(value: object) -> int | None:
    if value is None or value == "":
        return None
    try:
        return int(str(value))
    except ValueError:
        raise InvalidRequest("piece must be a piece position starting at 0.", field="piece") from None


async def _order_pieces(db: Database, settings: Settings, order: Order, piece: int | None) -> list[Piece]:
    async with db.read() as session:
        return await print_pieces(session, settings, order, only=_pick(await order_pieces(session, order.id), piece))


async def order_document(db: Database, settings: Settings, caller: Caller, order_id: str,
                         piece: int | None = None) -> PreviewDocument:
    """The print PDF behind an order's previews (another account's order is ``not_found``)."""
    async with db.read() as session:
        order = await orders.get_order(session, caller, order_id)
    pieces = await _order_pieces(db, settings, order, piece)
    return await _document(db, settings, order.account_id, pieces, None)


async def order_preview(db: Database, settings: Settings, caller: Caller, order_id: str, *, page: int = 1,
                        width: int = previews.DEFAULT_WIDTH, piece: int | None = None) -> PreviewImage:
    """A page of one of the caller's orders as PNG."""
    return await _image(await order_document(db, settings, caller, order_id, piece), page, width)


async def payer_preview(db: Database, settings: Settings, order_id: str, *, page: int = 1,
                        width: int = previews.THUMB_WIDTH, piece: int | None = None,
                        ip: str | None = None) -> PreviewImage:
    """A page of a hosted-checkout order for whoever holds its checkout link (the order id)."""
    async with db.read() as session:
        order = await session.get(Order, order_id)
    if order is None or order.billing_mode != "hosted_checkout":
        raise NotFound("There is no checkout at this address.")
    pieces = await _order_pieces(db, settings, order, piece)
    return await _image(await _document(db, settings, order.account_id, pieces, ip or "unknown", f"order:{order.id}"),
                        page, width)


async def _draft_pieces(settings: Settings, draft: OrderDraft, quote: Quote) -> list[Piece]:
    """Print inputs for a parsed, priced payload (assets already checked by ``quote_draft``)."""
    cache: dict[str, bytes] = {}

    async def data(asset_id: str | None) -> bytes | None:
        if asset_id is None:
            return None
        if asset_id not in cache:  # the storage is looked up only for a draft that names assets
            cache[asset_id] = await storage_for(settings).read(quote.assets[asset_id].storage_key)
        return cache[asset_id]

    built: list[Piece] = []
    for piece in draft.pieces:
        lines = piece.recipient.print_lines
        if draft.request_type == "postcard":
            built.append(PostcardPiece(lines, piece.message, front=await data(draft.front_image_asset_id)))
        else:
            attachments = [await data(a) for a in piece.attachment_ids]
            built.append(LetterPiece(lines, piece.message, us=piece.recipient.is_us,
                                     attachments=[a for a in attachments if a],
                                     stamp=await data(draft.stamp_image_asset_id)))
    return built


async def _payload_document(db: Database, settings: Settings, caller: Caller, body: Any) -> PreviewDocument:
    async with db.read() as session:
        draft = parse_order(body, mode=caller.mode)
        quote = await quote_draft(session, caller.account_id, draft, settings)
    return await _draft_document(db, settings, caller, draft, quote)


async def _draft_document(db: Database, settings: Settings, caller: Caller, draft: OrderDraft,
                          quote: Quote) -> PreviewDocument:
    pieces = await _draft_pieces(settings, draft, quote)
    return await _document(db, settings, caller.account_id, pieces, None)


async def payload_preview(db: Database, settings: Settings, caller: Caller, body: Any, *, page: int = 1,
                          width: int = previews.DEFAULT_WIDTH) -> PreviewImage:
    """A page of a payload that is not an order: parsed and priced exactly as an order, nothing stored."""
    return await _image(await _payload_document(db, settings, caller, body), page, width)


async def compose_preview(db: Database, settings: Settings, token: str, form: dict[str, Any], *,
                          width: int = 480, ip: str | None = None) -> PreviewPages:
    """All pages of the compose draft as edited on the page (the same checks as its price)."""
    async with db.read() as session:
        link = await open_draft(session, token)
        edit = compose_checkout.read_edit(link, form)
        draft = parse_order(compose_checkout.order_body(link, edit), mode=link.mode)  # type: ignore[arg-type]
        quote = await quote_draft(session, link.account_id, draft, settings)
    pieces = await _draft_pieces(settings, draft, quote)
    doc = await _document(db, settings, link.account_id, pieces, ip or "unknown", f"draft:{link.id}")
    pages = [await _page_png(doc, n, width) for n in range(1, doc.page_count + 1)]
    return PreviewPages(tuple(pages), tuple(o.as_dict() for o in doc.overlays), doc.key)


async def first_page_for_draft(db: Database, settings: Settings, caller: Caller, draft: OrderDraft,
                               quote: Quote) -> bytes:
    """Small first-page image of a draft already parsed and priced, for the MCP ``quote_order`` result."""
    doc = await _draft_document(db, settings, caller, draft, quote)
    return (await _image(doc, 1, previews.MCP_WIDTH)).png


async def first_page_for_order(db: Database, settings: Settings, caller: Caller, order_id: str) -> bytes:
    """Small first-page image of one of the caller's orders, for the MCP ``get_order`` result."""
    return (await order_preview(db, settings, caller, order_id, page=1, width=previews.MCP_WIDTH)).png
