"""Reading the feed: one account's events of the caller's mode, newest first, cursor paged.

``startingAfter`` is the last id of the previous page, as for orders (``domain.core.paging``);
the order is creation order (``seq``), which is exact even for events of one transaction.
"""
from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from domain.core.context import Caller
from domain.core.errors import InvalidRequest, NotFound
from domain.core.ids import could_be_id
from domain.events.catalogue import CATALOGUE
from domain.persistence.webhook_models import Event


async def get_event(session: AsyncSession, caller: Caller, event_id: object, *, field: str | None = None) -> Event:
    row = None
    if could_be_id(event_id):
        row = (await session.execute(select(Event).where(Event.id == event_id))).scalar_one_or_none()
    if row is None or row.account_id != caller.account_id or row.mode != caller.mode:
        raise NotFound(f"No event {event_id}.", field=field)
    return row


async def list_events(session: AsyncSession, caller: Caller, *, limit: int = 25, starting_after: str | None = None,
                      type: str | None = None, object_id: str | None = None) -> tuple[list[Event], bool]:
    stmt = select(Event).where(Event.account_id == caller.account_id, Event.mode == caller.mode)
    if type is not None:
        if type not in CATALOGUE:
            raise InvalidRequest(f"type: unknown event type {type!r}.", field="type")
        stmt = stmt.where(Event.type == type)
    if object_id is not None:
        stmt = stmt.where(Event.object_id == object_id)
    if starting_after:
        after = await get_event(session, caller, starting_after, field="startingAfter")
        stmt = stmt.where(Event.seq < after.seq)
    rows = list((await session.execute(stmt.order_by(Event.seq.desc()).limit(limit + 1))).scalars())
    return rows[:limit], len(rows) > limit
