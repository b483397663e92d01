"""Setting the daily live limits and reading today's spend against them.

Who may set what: the operator sets an account's limit (CLI), the account holder may only
lower it (dashboard), and an API key or MCP connection may carry its own lower limit.
"""
from __future__ import annotations

from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from domain.core.clock import iso, utcnow
from domain.core.errors import InvalidRequest, NotFound
from domain.core.ids import get_by_id
from domain.core.settings import Settings
from domain.limits.spend import (
    ACCOUNT, GRANT, HOLDER, KEY, OPERATOR, account_limit, day_reset, limits_of, utc_day,
)
from domain.money.currency import CURRENCIES
from domain.persistence.limits_models import LiveSpendDay, SpendLimit
from domain.persistence.models import ApiKey

MAX_LIMIT_CENTS = 100_000_000  # 1 000 000 EUR/USD a day: anything above is a typo


def parse_limit(value: object, field: str = "liveDailyCents") -> int | None:
    """Whole cents ≥ 0, or None (empty) for "no limit of its own"."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, str):
        try:
            value = int(value.strip())
        except ValueError:
            raise InvalidRequest(f"{field} must be a whole number of cents.", field=field) from None
    if isinstance(value, bool) or not isinstance(value, int):
        raise InvalidRequest(f"{field} must be a whole number of cents.", field=field)
    if not 0 <= value <= MAX_LIMIT_CENTS:
        raise InvalidRequest(f"{field} must be between 0 and {MAX_LIMIT_CENTS} cents.", field=field)
    return value


async def _put(session: AsyncSession, kind: str, subject_id: str, account_id: str, cents: int | None) -> None:
    if cents is None:
        await session.execute(delete(SpendLimit).where(SpendLimit.kind == kind, SpendLimit.subject_id == subject_id,
                                                       SpendLimit.account_id == account_id))
        return
    row = await session.get(SpendLimit, (kind, subject_id), with_for_update=True)
    if row is None:
        session.add(SpendLimit(kind=kind, subject_id=subject_id, account_id=account_id, daily_cents=cents,
                               updated_at=utcnow()))
    elif row.account_id == account_id:
        row.daily_cents, row.updated_at = cents, utcnow()
    else:  # a subject id of another account: never touched
        raise NotFound(f"No such {kind} {subject_id}.")
    await session.flush()


async def set_operator_limit(session: AsyncSession, account_id: str, cents: int | None) -> None:
    """The operator's value for this account (None: back to the service default)."""
    await _put(session, OPERATOR, account_id, account_id, cents)


async def set_holder_limit(session: AsyncSession, account_id: str, cents: int | None, settings: Settings) -> None:
    """The holder's own lower limit; never above the operator's value (None: use the operator's)."""
    if cents is not None:
        ceiling = account_limit(await limits_of(session, account_id), account_id, settings).ceiling_cents
        if cents > ceiling:
            raise InvalidRequest(f"The daily live limit (liveDailyCents) may be at most {ceiling} cents, the limit "
                                 "the operator set for this account; ask the operator to raise it.",
                                 field="liveDailyCents")
    await _put(session, HOLDER, account_id, account_id, cents)


async def owned_live_key(session: AsyncSession, account_id: str, key_id: str) -> ApiKey:
    key = await get_by_id(session, ApiKey, key_id)
    if key is None or key.account_id != account_id or key.internal:
        raise NotFound(f"No API key {key_id}.")
    if key.mode != "live":
        raise InvalidRequest("Only live keys spend live money; a test key takes no live limit.",
                             field="liveDailyCents")
    return key


async def set_key_limit(session: AsyncSession, account_id: str, key_id: str, cents: int | None) -> None:
    await owned_live_key(session, account_id, key_id)
    await _put(session, KEY, key_id, account_id, cents)


async def set_grant_limit(session: AsyncSession, account_id: str, grant_id: str, cents: int | None) -> None:
    """The caller has checked the grant is this account's (the grants live in the OAuth area)."""
    await _put(session, GRANT, grant_id, account_id, cents)


async def spent_today(session: AsyncSession, subjects: list[tuple[str, str]]) -> dict[tuple[str, str], dict[str, int]]:
    """Today's live spend per (kind, subject id) and currency (every currency listed, 0 if none)."""
    day = utc_day(utcnow())
    out = {subject: {currency: 0 for currency in CURRENCIES} for subject in subjects}
    ids = [subject_id for _, subject_id in subjects]
    if not ids:
        return out
    rows = (await session.execute(select(LiveSpendDay).where(LiveSpendDay.day == day,
                                                             LiveSpendDay.subject_id.in_(ids)))).scalars()
    for row in rows:
        if (row.kind, row.subject_id) in out:
            out[(row.kind, row.subject_id)][row.currency] = int(row.spent_cents)
    return out


async def spend_overview(session: AsyncSession, account_id: str, settings: Settings,
                         grants: list[dict[str, Any]] | None = None) -> dict[str, Any]:
    """Today's live spend against each limit: the account, each live key, each MCP connection.

    ``grants`` are the account's connections as the OAuth area lists them (``grantId``, ``clientName``).
    """
    limits = await limits_of(session, account_id)
    acct = account_limit(limits, account_id, settings)
    keys = list((await session.execute(select(ApiKey).where(
        ApiKey.account_id == account_id, ApiKey.mode == "live", ApiKey.internal.is_(False),
        ApiKey.status != "revoked").order_by(ApiKey.created_at, ApiKey.id))).scalars())
    grants = grants or []
    subjects = [(ACCOUNT, account_id), *((KEY, k.id) for k in keys), *((GRANT, g["grantId"]) for g in grants)]
    spend = await spent_today(session, subjects)
    day = utc_day(utcnow())
    return {
        "resetsAt": iso(day_reset(day)),
        "account": {"limitCents": acct.limit_cents, "operatorLimitCents": acct.ceiling_cents,
                    "holderLimitCents": acct.holder_cents, "spentTodayCents": spend[(ACCOUNT, account_id)]},
        "keys": [{"id": k.id, "name": k.name, "tokenLast4": k.token_last4, "limitCents": limits.get((KEY, k.id)),
                  "spentTodayCents": spend[(KEY, k.id)]} for k in keys],
        "connections": [{"grantId": g["grantId"], "clientName": g.get("clientName"),
                         "limitCents": limits.get((GRANT, g["grantId"])),
                         "spentTodayCents": spend[(GRANT, g["grantId"])]} for g in grants],
    }
