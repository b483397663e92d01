"""``account.spend_limit_reached``: recorded after a refused live send, once per limit and UTC day.

The refusal rolls the order's transaction back, so the event is written in its own transaction
afterwards. An agent that keeps trying would otherwise send a webhook per attempt: a day counter
per (account, limit) in ``usage_counters`` lets only the first refusal of the day record an event
(the upsert is atomic, so two racing refusals still record one).
"""
from __future__ import annotations

import logging

from domain.core.clock import utcnow
from domain.core.context import Caller
from domain.core.errors import SpendLimitReached
from domain.events.record import record
from domain.limits.spend import caller_subject, utc_day
from domain.persistence.db import Database
from domain.requests.rate_limits import increment

log = logging.getLogger("pieterpost.limits")

EVENT_TYPE = "account.spend_limit_reached"


def event_data(caller: Caller, error: SpendLimitReached) -> dict[str, object]:
    """The refusal's figures and who was refused (a public key id; MCP names its connection)."""
    scope = error.details.get("limitScope")
    subject = caller_subject(caller)
    return {
        "accountId": caller.account_id,
        "channel": caller.channel,
        "apiKeyId": caller.api_key_id if caller.channel == "api" else None,
        "connectionId": caller.grant_id,
        **{name: error.details.get(name) for name in
           ("limitScope", "limitCents", "spentTodayCents", "amountCents", "currency", "resetsAt")},
        "limitSubjectId": caller.account_id if scope == "account" or subject is None else subject[1],
    }


async def spend_limit_reached(db: Database, caller: Caller, error: SpendLimitReached) -> None:
    """Record that ``caller``'s account met a daily live limit; never raises (the refusal matters more)."""
    data = event_data(caller, error)
    log.warning("%s account=%s scope=%s limit=%s spent=%s resets=%s", EVENT_TYPE, caller.account_id,
                data["limitScope"], data["limitCents"], data["spentTodayCents"], data["resetsAt"])
    try:
        async with db.transaction() as session:
            first = await increment(session, f"limit_event:{data['limitScope']}:{data['limitSubjectId']}:"
                                             f"{data['currency']}", utc_day(utcnow())) == 1
            if first:
                record(session, type=EVENT_TYPE, account_id=caller.account_id, mode="live",
                       object_id=caller.account_id, data=data)
    except Exception:  # noqa: BLE001 - a failed event must not turn the refusal into a 500
        log.exception("could not record %s for %s", EVENT_TYPE, caller.account_id)
