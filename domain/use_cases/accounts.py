"""Accounts as sign-in pages and the operator CLI create and look them up.

Password hashing and the sign-in throttle stay with the pages (``oauth``); these calls only
read or write the account rows, each in one transaction.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from domain.accounts import apikeys
from domain.accounts.accounts import create_account, get_account, get_account_by_email
from domain.core.context import Caller
from domain.core.errors import DomainError
from domain.core.settings import Settings
from domain.money import topups
from domain.persistence.db import Database
from domain.persistence.models import Account


@dataclass(frozen=True)
class SignInRecord:
    """What a password check needs: never shown to anyone."""

    account_id: str
    password_hash: str | None
    active: bool


async def sign_in_record(db: Database, email: str) -> SignInRecord | None:
    if not email:
        return None
    async with db.read() as session:
        account = await get_account_by_email(session, email)
        if account is None:
            return None
        return SignInRecord(account.id, account.password_hash, account.status == "active")


async def sign_up(db: Database, email: str, password_hash: str) -> str:
    """A new account (and its test wallet); raises ``invalid_request`` for a bad or taken email."""
    async with db.transaction() as session:
        return (await create_account(session, email, password_hash=password_hash)).id


async def email_of(db: Database, account_id: str) -> str:
    async with db.read() as session:
        return (await get_account(session, account_id)).email


# -- operator CLI ---------------------------------------------------------------------------

async def _by_email(session: Any, email: str) -> Account:
    account = await get_account_by_email(session, email)
    if account is None:
        raise DomainError(f"No account for {email}; run 'pieterpost accounts create' first.")
    return account


async def create_for_operator(db: Database, email: str, *, approve: bool, password_hash: str | None) -> dict[str, Any]:
    async with db.transaction() as session:
        account = await create_account(session, email, approve=approve, password_hash=password_hash)
        return {"id": account.id, "email": account.email, "approvalStatus": account.approval_status,
                "liveEnabled": account.live_enabled}


async def create_key_for_operator(db: Database, email: str, mode: str, name: str | None) -> dict[str, Any]:
    async with db.transaction() as session:
        account = await _by_email(session, email)
        created = await apikeys.create_key(session, account.id, mode, name)
        return {**apikeys.key_view(created.key), "secret": created.secret, "accountId": account.id}


async def topup_for_operator(db: Database, settings: Settings, email: str, mode: str, amount_cents: int,
                             currency: str) -> dict[str, Any]:
    async with db.transaction() as session:
        account = await _by_email(session, email)
        caller = Caller(account_id=account.id, mode=mode, channel="web")
        topup = await topups.create_topup(session, caller, {"amountCents": amount_cents, "currency": currency},
                                          settings)
        return await topups.topup_view(session, topup)
