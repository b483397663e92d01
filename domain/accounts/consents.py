"""Remembered consent: which scopes a person has approved for an OAuth client.

A person who approved a client is not asked again for the same or fewer scopes; approving
more later adds them. Forgetting (the dashboard's Disconnect) means the next authorization
shows the consent page again. Scope names are plain strings here: the scope vocabulary
belongs to the authorization server (``oauth.scopes``).
"""
from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from sqlalchemy import delete, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncSession

from domain.persistence.clients_models import ClientConsent


def _split(scope: str | None) -> frozenset[str]:
    return frozenset((scope or "").split())


def covers(approved: Iterable[str] | None, requested: Iterable[str]) -> bool:
    """True when every requested scope was approved before (an empty request is never covered:
    the server always grants some scope, so it always shows what it grants once)."""
    wanted = set(requested)
    return approved is not None and bool(wanted) and wanted <= set(approved)


async def approved_scopes(session: AsyncSession, account_id: str, client_id: str) -> frozenset[str] | None:
    """The scopes this person approved for this client, or None if never (or forgotten)."""
    row = await session.get(ClientConsent, (account_id, client_id))
    return _split(row.scope) if row is not None else None


async def remember(session: AsyncSession, account_id: str, client_id: str, scopes: Iterable[str],
                   now: datetime) -> None:
    """Record an approval, adding ``scopes`` to what was approved before.

    Insert-if-absent first, then lock the row and widen it, so two approvals of one client
    at once both end up stored (PostgreSQL locks the row; SQLite has one writer at a time).
    """
    dialect = session.bind.dialect.name if session.bind is not None else "sqlite"
    insert = pg_insert if dialect == "postgresql" else sqlite_insert
    await session.execute(insert(ClientConsent).values(
        account_id=account_id, client_id=client_id, scope="", created_at=now, updated_at=now,
    ).on_conflict_do_nothing(index_elements=["account_id", "client_id"]))
    row = (await session.execute(select(ClientConsent).where(
        ClientConsent.account_id == account_id, ClientConsent.client_id == client_id,
    ).with_for_update().execution_options(populate_existing=True))).scalar_one()
    row.scope = " ".join(sorted(_split(row.scope) | set(scopes)))
    row.updated_at = now


async def forget(session: AsyncSession, account_id: str, client_id: str) -> bool:
    """Drop the remembered approval; True if there was one."""
    done = await session.execute(delete(ClientConsent).where(
        ClientConsent.account_id == account_id, ClientConsent.client_id == client_id))
    return bool(done.rowcount)
