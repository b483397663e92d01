"""Hook point: ``account.spend_limit_reached``, recorded after a refused live send.

The refusal rolls the order's transaction back, so the event is written in its own
transaction afterwards. Until the outbound events area exists this only logs; when it does,
``spend_limit_reached`` is the one place that records the event (nothing else changes).
"""
from __future__ import annotations

import logging

from domain.core.context import Caller
from domain.core.errors import SpendLimitReached
from domain.persistence.db import Database

log = logging.getLogger("pieterpost.limits")

EVENT_TYPE = "account.spend_limit_reached"


async def spend_limit_reached(db: Database, caller: Caller, error: SpendLimitReached) -> None:
    """Record that ``caller``'s account met a daily live limit (never raises)."""
    log.warning("%s account=%s scope=%s limit=%s spent=%s resets=%s", EVENT_TYPE, caller.account_id,
                error.details.get("limitScope"), error.details.get("limitCents"),
                error.details.get("spentTodayCents"), error.details.get("resetsAt"))
