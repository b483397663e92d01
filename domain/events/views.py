"""The public shape of an event (``GET /v1/events``, and the body of every webhook)."""
from __future__ import annotations

from typing import Any

from domain.core.clock import iso
from domain.events.snapshots import with_base_url
from domain.persistence.webhook_models import Event


def event_view(event: Event, base_url: str) -> dict[str, Any]:
    return {
        "id": event.id,
        "type": event.type,
        "createdAt": iso(event.created_at),
        "mode": event.mode,
        "testMode": event.mode == "test",
        "objectType": event.object_type,
        "objectId": event.object_id,
        "data": with_base_url(dict(event.data), base_url),
    }
