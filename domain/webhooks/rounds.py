"""One worker round of webhooks: fan new events out, then send every due delivery."""
from __future__ import annotations

from collections.abc import Callable

from domain.core.settings import Settings
from domain.persistence.db import Database
from domain.webhooks.delivery import deliver_due
from domain.webhooks.fanout import fan_out
from domain.webhooks.sender import Sender


async def run_round(db: Database, settings: Settings, worker_id: str, *, sender: Sender | None = None,
                    rand: Callable[[float, float], float] | None = None) -> list[str]:
    """Returns each attempt's outcome. ``sender``/``rand`` let tests pin DNS answers or jitter."""
    while await fan_out(db):
        pass
    own = sender is None
    sender = sender or Sender(settings)
    try:
        return await deliver_due(db, settings, worker_id, sender, rand=rand)
    finally:
        if own:
            await sender.aclose()
