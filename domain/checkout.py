"""Opening a hosted checkout for an order: the sandbox page in test mode, Stripe in live mode."""
from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from domain.errors import Misconfigured
from domain.models import Order
from domain.settings import Settings


def sandbox_checkout_url(settings: Settings, order_id: str) -> str:
    return f"{settings.base_url}/v1/sandbox/checkout/{order_id}"


async def open_checkout(session: AsyncSession, order: Order, settings: Settings) -> None:
    if order.mode == "test":
        order.checkout_url = sandbox_checkout_url(settings, order.id)
        return
    if not settings.stripe_secret_key:
        raise Misconfigured("Live checkout needs PIETERPOST_STRIPE_SECRET_KEY.")
    raise Misconfigured("Live Stripe checkout is not available on this server yet.")
