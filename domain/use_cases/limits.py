"""Use cases of the spending limits and operator controls (CLI, dashboard, MCP edge).

Each opens its own transaction; edges pass plain values and get plain dicts back.
"""
from __future__ import annotations

from typing import Any

from domain.accounts import apikeys, controls
from domain.accounts.accounts import get_account, get_account_by_email
from domain.core.errors import NotFound
from domain.core.settings import Settings
from domain.limits import manage
from domain.persistence.db import Database
from domain.persistence.models import Account
from domain.requests.credential_cache import CACHE, revoked


async def _by_email(session: Any, email: str) -> Account:
    account = await get_account_by_email(session, email)
    if account is None:
        raise NotFound(f"No account for {email}; run 'pieterpost accounts create' first.")
    return account


async def control_account(db: Database, email: str, action: str) -> dict[str, Any]:
    """``approve``, ``pause`` or ``reactivate`` the account of ``email`` (operator CLI)."""
    change = {"approve": controls.approve, "pause": controls.pause, "reactivate": controls.reactivate}[action]
    async with db.transaction() as session:
        account = await _by_email(session, email)
        change(account)
        await session.flush()
        await revoked(session, f"account:{account.id}")  # cached keys, tokens and "active" answers go
        return controls.control_view(account)


async def list_accounts(db: Database, settings: Settings) -> list[dict[str, Any]]:
    async with db.read() as session:
        return await controls.list_accounts(session, settings)


async def set_operator_limit(db: Database, settings: Settings, email: str, cents: object) -> dict[str, Any]:
    """The operator's daily live limit for one account (None/empty: back to the service default)."""
    value = manage.parse_limit(cents)
    async with db.transaction() as session:
        account = await _by_email(session, email)
        await manage.set_operator_limit(session, account.id, value)
        overview = await manage.spend_overview(session, account.id, settings)
        return {"id": account.id, "email": account.email, **overview["account"]}


async def create_key(db: Database, account_id: str, mode: str, name: str | None,
                     live_daily_cents: object = None) -> tuple[dict[str, Any], str]:
    """A new API key with its optional own daily live limit, in one transaction: (view, secret)."""
    value = manage.parse_limit(live_daily_cents)
    async with db.transaction() as session:
        created = await apikeys.create_key(session, account_id, mode, name)
        if value is not None:
            await manage.set_key_limit(session, account_id, created.key.id, value)
        return {**apikeys.key_view(created.key), "liveDailyLimitCents": value}, created.secret


async def create_key_for_connection(db: Database, account_id: str, grant_id: str | None, mode: str,
                                    name: str | None) -> tuple[dict[str, Any], str]:
    """A key made through MCP: a live key takes the connection's own daily limit, if it has one,
    so an agent cannot step around its connection's limit by minting a key and using REST."""
    async with db.transaction() as session:
        created = await apikeys.create_key(session, account_id, mode, name)
        if mode == "live" and grant_id:
            inherited = (await manage.limits_of(session, account_id)).get((manage.GRANT, grant_id))
            if inherited is not None:
                await manage.set_key_limit(session, account_id, created.key.id, inherited)
        return apikeys.key_view(created.key), created.secret


async def create_key_for_email(db: Database, email: str, mode: str, name: str | None,
                               live_daily_cents: object = None) -> tuple[dict[str, Any], str]:
    async with db.read() as session:
        account_id = (await _by_email(session, email)).id
    view, secret = await create_key(db, account_id, mode, name, live_daily_cents)
    return {**view, "accountId": account_id}, secret


async def set_holder_limit(db: Database, settings: Settings, account_id: str, cents: object) -> None:
    value = manage.parse_limit(cents)
    async with db.transaction() as session:
        await manage.set_holder_limit(session, account_id, value, settings)


async def set_key_limit(db: Database, account_id: str, key_id: str, cents: object) -> None:
    value = manage.parse_limit(cents)
    async with db.transaction() as session:
        await manage.set_key_limit(session, account_id, key_id, value)


async def set_grant_limit(db: Database, account_id: str, grant_id: str, cents: object,
                          owned_grant_ids: list[str]) -> None:
    """``owned_grant_ids``: the account's connections as the OAuth area lists them (ownership check)."""
    value = manage.parse_limit(cents)
    if grant_id not in owned_grant_ids:
        raise NotFound("No such connection.")
    async with db.transaction() as session:
        await manage.set_grant_limit(session, account_id, grant_id, value)


async def spend_overview(db: Database, settings: Settings, account_id: str,
                         grants: list[dict[str, Any]] | None = None) -> dict[str, Any]:
    async with db.read() as session:
        return await manage.spend_overview(session, account_id, settings, grants)


async def check_active(db: Database, account_id: str) -> None:
    """``account_inactive`` when the operator paused the account (MCP tool calls ask this each time).

    An "active" answer is remembered like a verified credential; pausing drops it everywhere
    (``control_account`` announces the account as revoked)."""
    if CACHE.get(db.url, ("active", account_id)):
        return
    async with db.read() as session:
        controls.ensure_active(await get_account(session, account_id))
    CACHE.put(db.url, ("active", account_id), True, (f"account:{account_id}",))
