"""Daily live spend limits, counted exactly inside the order's own transaction.

Each live direct send raises one counter row per subject (the account, and the API key or the
MCP connection that sent it) for its currency and UTC day with a single conditional upsert
(``INSERT … ON CONFLICT DO UPDATE SET spent = spent + :amount WHERE spent + :amount <= :limit``).
The database evaluates the condition on the locked row, like ``money.wallets.post_entry``, so
concurrent sends can never pass a limit together; a refused or rolled-back order leaves the
counters as they were. Hosted-checkout orders are not counted (docs/limits.md says why).

Limits are whole cents per currency per UTC day. The account's limit is the operator's value
(or ``PIETERPOST_LIVE_DAILY_SPEND_LIMIT_CENTS``), lowered by the holder's own value if set; a
key or connection limit only lowers further.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession

from domain.core.clock import iso, utcnow
from domain.core.context import Caller
from domain.core.errors import SpendLimitReached
from domain.core.settings import Settings
from domain.persistence.limits_models import LiveSpendDay, SpendLimit

OPERATOR, HOLDER, KEY, GRANT = "operator", "holder", "key", "grant"
ACCOUNT = "account"  # counter kind for the whole account
SCOPE_NAMES = {ACCOUNT: "account", KEY: "apiKey", GRANT: "connection"}
_WHO = {ACCOUNT: "this account's", KEY: "this API key's", GRANT: "this MCP connection's"}


def utc_day(now: datetime) -> int:
    return int(now.timestamp() // 86400)


def day_reset(day: int) -> datetime:
    """When ``day`` ends: the next 00:00 UTC."""
    return datetime.fromtimestamp((day + 1) * 86400, UTC)


@dataclass(frozen=True)
class AccountLimit:
    operator_cents: int | None  # the operator's override, None = the service default
    holder_cents: int | None  # the holder's own lower value, None = not set
    default_cents: int

    @property
    def ceiling_cents(self) -> int:
        """The most the holder may set: the operator's value or the default."""
        return self.default_cents if self.operator_cents is None else self.operator_cents

    @property
    def limit_cents(self) -> int:
        ceiling = self.ceiling_cents
        return ceiling if self.holder_cents is None else min(ceiling, self.holder_cents)


async def limits_of(session: AsyncSession, account_id: str) -> dict[tuple[str, str], int]:
    """Every limit row of the account, by (kind, subject id): one indexed read."""
    rows = (await session.execute(select(SpendLimit).where(SpendLimit.account_id == account_id))).scalars()
    return {(row.kind, row.subject_id): int(row.daily_cents) for row in rows}


def account_limit(limits: dict[tuple[str, str], int], account_id: str, settings: Settings) -> AccountLimit:
    return AccountLimit(limits.get((OPERATOR, account_id)), limits.get((HOLDER, account_id)),
                        settings.live_daily_spend_limit_cents)


def caller_subject(caller: Caller) -> tuple[str, str] | None:
    """What besides the account a send is counted against: its MCP connection, else its API key."""
    if caller.grant_id:
        return GRANT, caller.grant_id
    if caller.api_key_id:
        return KEY, caller.api_key_id
    return None


async def spent(session: AsyncSession, kind: str, subject_id: str, currency: str, day: int) -> int:
    value = await session.scalar(select(LiveSpendDay.spent_cents).where(
        LiveSpendDay.kind == kind, LiveSpendDay.subject_id == subject_id, LiveSpendDay.currency == currency,
        LiveSpendDay.day == day))
    return int(value or 0)


async def _add(session: AsyncSession, kind: str, subject_id: str, currency: str, day: int, amount: int,
               limit: int | None) -> bool:
    """Raise the day's counter by ``amount`` unless that passes ``limit``; False when refused."""
    if limit is not None and amount > limit:
        return False  # no row may ever start above its limit
    insert = postgresql.insert if session.bind.dialect.name == "postgresql" else sqlite.insert
    stmt = insert(LiveSpendDay).values(kind=kind, subject_id=subject_id, currency=currency, day=day,
                                       spent_cents=amount)
    keys = [LiveSpendDay.kind, LiveSpendDay.subject_id, LiveSpendDay.currency, LiveSpendDay.day]
    raised = {"spent_cents": LiveSpendDay.spent_cents + amount}
    if limit is None:
        stmt = stmt.on_conflict_do_update(index_elements=keys, set_=raised)
    else:
        stmt = stmt.on_conflict_do_update(index_elements=keys, set_=raised,
                                          where=LiveSpendDay.spent_cents + amount <= limit)
    return (await session.execute(stmt.returning(LiveSpendDay.spent_cents))).scalar_one_or_none() is not None


async def charge_live_spend(session: AsyncSession, caller: Caller, amount_cents: int, currency: str,
                            settings: Settings) -> None:
    """Count a live direct send against today's limits, or raise ``spend_limit_reached``.

    Call inside the order's transaction before the wallet debit: the account row first, then the
    key's or connection's, in the same order for every send (no lock-order deadlocks).
    """
    if caller.mode != "live":
        return
    now = utcnow()
    day = utc_day(now)
    limits = await limits_of(session, caller.account_id)
    checks: list[tuple[str, str, int | None]] = [
        (ACCOUNT, caller.account_id, account_limit(limits, caller.account_id, settings).limit_cents)]
    subject = caller_subject(caller)
    if subject is not None:
        checks.append((*subject, limits.get(subject)))
    for kind, subject_id, limit in checks:
        if not await _add(session, kind, subject_id, currency, day, amount_cents, limit):
            assert limit is not None
            already = await spent(session, kind, subject_id, currency, day)
            raise refusal(kind, limit, already, amount_cents, currency, day_reset(day), caller.channel)


def refusal(kind: str, limit: int, already: int, amount: int, currency: str, resets: datetime,
            channel: str) -> SpendLimitReached:
    resets_at = iso(resets)
    cur = currency.upper()
    message = (
        f"Refused: this live send of {amount} {cur} cents would pass {_WHO[kind]} daily live spend limit of "
        f"{limit} {cur} cents; {already} cents are spent today (UTC). The limit resets at {resets_at}. "
        "Nothing was charged or sent.")
    if channel == "mcp":
        message += (" Do not retry: tell the person the limit is reached and ask them to wait until it resets "
                    "or to raise the limit on the PieterPost dashboard.")
    else:
        message += " Retrying before the reset fails the same way; the account holder can change the limit."
    return SpendLimitReached(message, details={
        "limitScope": SCOPE_NAMES[kind], "limitCents": limit, "spentTodayCents": already,
        "amountCents": amount, "currency": currency, "resetsAt": resets_at})
