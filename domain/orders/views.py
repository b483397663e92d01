"""The seed's order response shape, built in one place for REST, MCP and pages."""
from __future__ import annotations

from typing import Any

from domain.core.clock import iso
from domain.persistence.models import Order, Wallet
from domain.money.wallets import wallet_view


def public_checkout_url(base_url: str, order: Order) -> str | None:
    """This service's own stable pay URL; it redirects to the current checkout."""
    if order.billing_mode != "hosted_checkout":
        return None
    return f"{base_url}/pay/{order.id}"


def order_view(order: Order, base_url: str, wallet: Wallet | None = None) -> dict[str, Any]:
    view: dict[str, Any] = {
        "amountCents": order.amount_cents,
        "billingMode": order.billing_mode,
        "checkoutUrl": order.checkout_url if order.status == "checkout_open" else None,
        "createdAt": iso(order.created_at),
        "currency": order.currency,
        "error": order.error,
        "expiresAt": iso(order.expires_at),
        "externalId": order.external_id,
        "fulfilledAt": iso(order.fulfilled_at),
        "metadata": dict(order.metadata_ or {}),
        "orderId": order.id,
        "orderRef": order.order_ref,
        "paidAt": iso(order.paid_at),
        "paymentReference": order.payment_reference,
        "publicCheckoutUrl": public_checkout_url(base_url, order),
        "recipientCount": order.recipient_count,
        "requestType": order.request_type,
        "senderEmail": order.sender_email,
        "status": order.status,
        "testMode": order.mode == "test",
        "updatedAt": iso(order.updated_at),
    }
    if wallet is not None:
        view["wallet"] = wallet_view(wallet)
    return view
