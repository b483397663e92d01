"""The customer-visible event feed: one immutable row per state change, written in the change's
own transaction (``record``), read by ``GET /v1/events`` and delivered by ``domain.webhooks``."""
from domain.events.catalogue import CATALOGUE, EVENT_TYPES, SUBSCRIBABLE
from domain.events.pieces import PIECE_STATUS_EVENTS, piece_status_event
from domain.events.record import order_event, piece_event, record, topup_event

__all__ = ["CATALOGUE", "EVENT_TYPES", "PIECE_STATUS_EVENTS", "SUBSCRIBABLE", "order_event", "piece_event",
           "piece_status_event", "record", "topup_event"]
