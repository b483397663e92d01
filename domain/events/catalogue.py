"""Every event type there is, with the object it carries and when it happens.

Receivers subscribe by these names (``enabledEvents``); an unknown name is refused. The
``piece.*`` types are recorded by piece tracking through ``domain.events.piece_event``.
"""
from __future__ import annotations

CATALOGUE: dict[str, tuple[str, str]] = {
    # type: (object type, when)
    "order.created": ("order", "An order was created (direct send or hosted checkout); status draft."),
    "order.checkout_opened": ("order", "A hosted-checkout order is waiting for the payer."),
    "order.paid": ("order", "The order is paid: wallet debited or checkout completed."),
    "order.fulfilled": ("order", "Every piece was handed to the print partner."),
    "order.cancelled": ("order", "The order was cancelled before it was queued for print."),
    "order.expired": ("order", "A hosted checkout was not paid within 24 hours."),
    "order.failed": ("order", "The order failed (payment failed, or print refused it); see error."),
    "order.refunded": ("order", "Money for the order was returned (wallet credit or Stripe refund)."),
    "piece.mailed": ("piece", "The print partner posted this letter or postcard."),
    "piece.in_transit": ("piece", "The postal service reported the piece on its way."),
    "piece.delivered": ("piece", "The piece was delivered to the recipient."),
    "piece.returned_to_sender": ("piece", "The piece came back to the sender."),
    "piece.undeliverable": ("piece", "The carrier gave up: the piece could not be delivered."),
    "topup.succeeded": ("topup", "A wallet top-up was paid and credited."),
    "topup.failed": ("topup", "A top-up payment failed."),
    "topup.expired": ("topup", "A top-up checkout was not paid within 24 hours."),
    "topup.cancelled": ("topup", "A top-up checkout was cancelled by the payer."),
    "webhook.test": ("webhook_endpoint", "Sent on request to one endpoint (dashboard or POST …/test)."),
}

EVENT_TYPES = tuple(CATALOGUE)
# webhook.test goes only to the endpoint it was sent to, so nobody subscribes to it
SUBSCRIBABLE = tuple(name for name in CATALOGUE if name != "webhook.test")

# order status → the event its move records (draft and queued are internal steps)
ORDER_STATUS_EVENTS = {
    "checkout_open": "order.checkout_opened",
    "paid": "order.paid",
    "fulfilled": "order.fulfilled",
    "cancelled": "order.cancelled",
    "expired": "order.expired",
    "failed": "order.failed",
}
TOPUP_STATUS_EVENTS = {"paid": "topup.succeeded", "failed": "topup.failed", "expired": "topup.expired",
                       "cancelled": "topup.cancelled"}
