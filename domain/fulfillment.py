"""Hand-off of paid orders to printing. Test mode is simulated at once; live orders get a job."""
from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from domain.clock import utcnow
from domain.ids import new_id
from domain.models import FulfillmentJob, Order
from domain.order_status import move


async def enqueue(session: AsyncSession, order: Order) -> None:
    move(session, order, "queued")
    if order.mode == "test":
        move(session, order, "fulfilled", note="simulated fulfillment (test mode)")
        return
    session.add(FulfillmentJob(id=new_id("job"), order_id=order.id, run_after=utcnow()))
