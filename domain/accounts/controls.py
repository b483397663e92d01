"""Operator controls over accounts: approve, pause, reactivate, and the listing.

A paused account (``status = "paused"``) is refused with ``account_inactive`` on its next
request: API keys in ``apikeys.authenticate``, OAuth tokens at each MCP tool call
(``ensure_active``), and its live fulfillment jobs stay queued but are not handed off
(``domain.fulfillment.jobs`` skips them) until it is reactivated.
"""
from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from domain.accounts.accounts import set_approved
from domain.core.clock import iso
from domain.core.errors import AuthError, ErrorCode
from domain.core.settings import Settings
from domain.limits.manage import spent_today
from domain.limits.spend import ACCOUNT, HOLDER, OPERATOR, account_limit
from domain.persistence.limits_models import SpendLimit
from domain.persistence.models import Account

ACTIVE, PAUSED = "active", "paused"


def ensure_active(account: Account) -> None:
    """``account_inactive`` for a paused (or otherwise disabled) account."""
    if account.status != ACTIVE:
        raise AuthError(f"This account is {account.status}: the operator has stopped it. Nothing was done; "
                        "ask the operator to reactivate it.", code=ErrorCode.ACCOUNT_INACTIVE)


def approve(account: Account) -> None:
    """Approved for live mode and live direct send (the live-order cap no longer applies)."""
    set_approved(account)


def pause(account: Account) -> None:
    account.status = PAUSED


def reactivate(account: Account) -> None:
    account.status = ACTIVE


def control_view(account: Account) -> dict[str, Any]:
    return {"id": account.id, "email": account.email, "status": account.status,
            "approvalStatus": account.approval_status, "liveEnabled": account.live_enabled,
            "approvedForDirectSend": account.approved_for_direct_send, "createdAt": iso(account.created_at)}


async def list_accounts(session: AsyncSession, settings: Settings) -> list[dict[str, Any]]:
    """Every account, oldest first, with its live limit and today's live spend per currency."""
    accounts = list((await session.execute(select(Account).order_by(Account.created_at, Account.id))).scalars())
    spend = await spent_today(session, [(ACCOUNT, a.id) for a in accounts])
    rows = (await session.execute(select(SpendLimit).where(SpendLimit.kind.in_((OPERATOR, HOLDER))))).scalars()
    limits = {(row.kind, row.subject_id): int(row.daily_cents) for row in rows}
    return [{**control_view(account),
             "liveDailyLimitCents": account_limit(limits, account.id, settings).limit_cents,
             "liveSpentTodayCents": spend[(ACCOUNT, account.id)]} for account in accounts]
